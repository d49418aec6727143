"""Admin screens for stock, reservations and movements: read-only by design.

Stock changes only through the services, so that every change of ``on_hand`` has
its movement and every ``reserved`` unit its reservation. A person receives
goods or corrects a count on a stock item's own action pages, which call
``stock_receive`` and ``stock_adjust`` (permissions ``warehouse.receive_stock``
and ``warehouse.adjust_stock``).
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from readonly_admin.admin import ReadOnlyAdmin
from readonly_admin.operator import admin_actor, operator_page
from warehouse.forms import StockAdjustForm, StockReceiveForm
from warehouse.models import Reservation, StockItem, StockMovement
from warehouse.selectors import stock_list
from warehouse.services import stock_adjust, stock_receive


def _pending_hold_count() -> Coalesce:
    """Count the pending reservations of the row's SKU (the semantic locks)."""
    holds = (
        Reservation.objects.filter(
            sku=OuterRef("sku"), status=Reservation.Status.PENDING
        )
        .order_by()
        .values("sku")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(holds), 0, output_field=IntegerField())


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdmin):
    list_display = ["sku", "on_hand", "reserved", "available", "pending", "holds"]
    search_fields = ["sku"]

    def get_list_display(self, request: HttpRequest) -> list[str]:
        """Offer the stock operations only to whoever may do one of them."""
        may = request.user.has_perm("warehouse.receive_stock") or (
            request.user.has_perm("warehouse.adjust_stock")
        )
        return [*self.list_display, "operations"] if may else self.list_display

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/receive/",
                wrap(partial(receive_view, model_admin=self)),
                name="warehouse_stockitem_receive",
            ),
            path(
                "<path:object_id>/adjust/",
                wrap(partial(adjust_view, model_admin=self)),
                name="warehouse_stockitem_adjust",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="stock operations")
    def operations(self, item: StockItem) -> str:
        """Link the item's action pages: receive goods, correct the count."""
        return format_html(
            '<a href="{}">receive</a> · <a href="{}">correct count</a>',
            reverse("admin:warehouse_stockitem_receive", args=[item.pk]),
            reverse("admin:warehouse_stockitem_adjust", args=[item.pk]),
        )

    def get_queryset(self, request):
        return stock_list().annotate(pending_holds=_pending_hold_count())

    @admin.display(ordering="pending_holds", description="pending reservations")
    def holds(self, item: StockItem) -> str:
        """Link the count of pending holds to those reservations."""
        if not item.pending_holds:
            return "0"
        url = reverse("admin:warehouse_reservation_changelist")
        query = urlencode({"q": item.sku, "status__exact": "pending"})
        return format_html('<a href="{}?{}">{}</a>', url, query, item.pending_holds)

    @admin.display(ordering="available", description="available")
    def available(self, item: StockItem) -> int:
        return item.available

    @admin.display(ordering="pending", description="pending holds")
    def pending(self, item: StockItem) -> int:
        return item.pending


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["operation_id", "sku", "quantity", "status", "expires_at"]
    list_filter = ["status"]
    search_fields = ["operation_id", "sku"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "sku",
        "delta",
        "reason",
        "operation_id",
        "actor",
        "note",
        "created_at",
    ]
    list_filter = ["reason"]
    search_fields = ["sku", "operation_id"]


def receive_view(
    request: HttpRequest, object_id: str, *, model_admin: StockItemAdmin
) -> HttpResponse:
    """Receive goods into the item's stock (``warehouse.receive_stock``)."""

    def perform(item: StockItem, data: dict[str, Any], request: HttpRequest) -> str:
        movement = stock_receive(
            sku=item.sku,
            quantity=data["quantity"],
            reason=data["reason"],
            actor=admin_actor(request),
            operation_id=data["key"],
        )
        return f"{item.sku}: received {movement.delta} units."

    return _stock_page(
        request,
        object_id,
        model_admin,
        permission="warehouse.receive_stock",
        form_class=StockReceiveForm,
        title="Receive goods",
        perform=perform,
    )


def adjust_view(
    request: HttpRequest, object_id: str, *, model_admin: StockItemAdmin
) -> HttpResponse:
    """Correct the item's count to what is on the shelf (``warehouse.adjust_stock``)."""

    def perform(item: StockItem, data: dict[str, Any], request: HttpRequest) -> str:
        movement = stock_adjust(
            sku=item.sku,
            counted=data["counted"],
            reason=data["reason"],
            actor=admin_actor(request),
            operation_id=data["key"],
        )
        if movement is None:
            return f"{item.sku}: the count matches the books; nothing changed."
        return f"{item.sku}: count corrected by {movement.delta:+d} units."

    return _stock_page(
        request,
        object_id,
        model_admin,
        permission="warehouse.adjust_stock",
        form_class=StockAdjustForm,
        title="Correct the count",
        perform=perform,
    )


def _stock_page(
    request: HttpRequest,
    object_id: str,
    model_admin: StockItemAdmin,
    **page: Any,
) -> HttpResponse:
    return operator_page(
        request,
        site=model_admin.admin_site,
        load=lambda: model_admin.get_object(request, unquote(object_id)),
        back_url=reverse("admin:warehouse_stockitem_changelist"),
        intro="Recorded as a stock movement with your name and reason.",
        **page,
    )
