"""Admin screens for stock, reservations and movements: read-only by design.

Stock changes only through the services, so that every change of ``on_hand`` has
its movement and every ``reserved`` unit its reservation.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from readonly_admin.admin import ReadOnlyAdmin
from warehouse.models import Reservation, StockItem, StockMovement
from warehouse.selectors import stock_list


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
    list_display = ["sku", "delta", "reason", "operation_id", "created_at"]
    list_filter = ["reason"]
    search_fields = ["sku", "operation_id"]
