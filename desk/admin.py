"""The desk in the admin: its log of actions, and the action pages of an order.

Each page is reached from the order's page (``desk_order_panel``) and refuses
(403) anyone without its permission, on GET and POST alike, before it reads
the order. Forms validate; one service call acts (``desk.services``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from aftersales.services import refundable_minor
from desk.forms import ExternalRefundForm, RefundForm, ResendForm
from desk.models import DeskAction
from desk.services import (
    desk_notification_resend,
    desk_refund,
    desk_refund_record_external,
)
from desk.timeline import desk_action_text
from orders.models import Order
from orders.money import from_minor
from readonly_admin.admin import ReadOnlyAdmin
from readonly_admin.operator import admin_actor, operator_page

REFUND, EXTERNAL, RESEND = (
    "desk.refund_order",
    "desk.record_external_refund",
    "desk.resend_notification",
)


@admin.register(DeskAction)
class DeskActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "order_link", "actor", "amount", "reason"]
    list_filter = ["kind"]
    search_fields = ["order__id", "actor", "reference", "reason"]

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        pages = [("refund", refund_view), ("external", external_view)]
        pages.append(("resend", resend_view))
        return [
            *(
                path(
                    f"order/<path:order_id>/{name}/",
                    wrap(partial(view, model_admin=self)),
                    name=f"desk_{name}",
                )
                for name, view in pages
            ),
            *super().get_urls(),
        ]

    @admin.display(description="order", ordering="order")
    def order_link(self, action: DeskAction) -> str:
        url = reverse("admin:orders_order_change", args=[action.order_id])
        return format_html('<a href="{}">{}</a>', url, str(action.order_id)[:8])

    @admin.display(description="amount")
    def amount(self, action: DeskAction) -> str:
        if action.amount_minor is None:
            return "-"
        return f"{from_minor(action.amount_minor, action.currency)} {action.currency}"


def refund_view(
    request: HttpRequest, order_id: str, *, model_admin: DeskActionAdmin
) -> HttpResponse:
    """Refund a shipped order: everything, an amount, or units of its lines."""

    def perform(order: Order, data: dict[str, Any], request: HttpRequest) -> str:
        action = desk_refund(
            order=order,
            actor=admin_actor(request),
            reason=data["reason"],
            idempotency_key=data["key"],
            amount_minor=data["amount_minor"],
            lines=data["lines"],
        )
        return f"Refund started: {desk_action_text(action)}"

    return _order_page(
        request,
        order_id,
        model_admin,
        permission=REFUND,
        form_class=RefundForm,
        title="Refund the order",
        perform=perform,
        refundable=True,
        intro="The refund goes through the refund service once, "
        "however often this form is sent.",
    )


def external_view(
    request: HttpRequest, order_id: str, *, model_admin: DeskActionAdmin
) -> HttpResponse:
    """Record a refund made outside the system, so the ledger agrees again."""

    def perform(order: Order, data: dict[str, Any], request: HttpRequest) -> str:
        action = desk_refund_record_external(
            order=order,
            actor=admin_actor(request),
            amount_minor=data["amount_minor"],
            reference=data["reference"],
            reason=data["reason"],
        )
        return f"Recorded: {desk_action_text(action)}"

    return _order_page(
        request,
        order_id,
        model_admin,
        permission=EXTERNAL,
        form_class=ExternalRefundForm,
        title="Record a refund made outside",
        perform=perform,
        refundable=True,
        intro="For money returned at the processor's dashboard or by transfer: "
        "the ledger and the audit then agree with it.",
    )


def resend_view(
    request: HttpRequest, order_id: str, *, model_admin: DeskActionAdmin
) -> HttpResponse:
    """Send the order's "shipped" message again by a chosen channel."""

    def perform(order: Order, data: dict[str, Any], request: HttpRequest) -> str:
        action = desk_notification_resend(
            order=order,
            actor=admin_actor(request),
            channel=data["channel"],
            reason=data["reason"],
            idempotency_key=data["key"],
        )
        return f"Sent: {desk_action_text(action)}"

    return _order_page(
        request,
        order_id,
        model_admin,
        permission=RESEND,
        form_class=ResendForm,
        title="Send the notification again",
        perform=perform,
    )


def _order_page(
    request: HttpRequest,
    order_id: str,
    model_admin: DeskActionAdmin,
    *,
    refundable: bool = False,
    **page: Any,
) -> HttpResponse:
    orders = model_admin.admin_site.get_model_admin(Order)

    def form_kwargs(order: Order) -> dict[str, Any]:
        if not refundable:
            return {}
        return {"order": order, "refundable_minor": refundable_minor(order)}

    return operator_page(
        request,
        site=model_admin.admin_site,
        load=lambda: orders.get_object(request, unquote(order_id)),
        form_kwargs=form_kwargs,
        back_url=reverse("admin:orders_order_change", args=[order_id]),
        **page,
    )
