"""The order page: read-only state, its diagram and events, what the services hold.

The state is shown, never a form field: it moves only through events, offered
as buttons for the events the state machine allows from the current state.
Payments, reservations and the shipment are read from the other services by
the order's operation id, as the guards read them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from orders.admin import events
from orders.machine import order_diagram
from orders.models import Order, OrderLine
from orders.money import from_minor
from orders.selectors import (
    order_allowed_events,
    order_cancellable,
    order_saga_runs,
)
from orders.states import transition_for
from payments.selectors import charges_for, refunds_for
from sagas.api import SagaRun
from shipping.selectors import shipment_for
from warehouse.selectors import reservations_for


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows rows and never adds, changes or deletes them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Lines and history are part of the order: whoever may see it sees them.
        return request.user.has_perm("orders.view_order") or request.user.has_perm(
            "orders.change_order"
        )


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "name", "quantity", "unit_price", "currency"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "state", "total", "currency", "created_at"]
    list_filter = ["state"]
    search_fields = ["id", "operation_id", "owner__username"]
    # The state moves only through events (orders.services.order_transition),
    # and the rest is what the customer bought and paid: every field is shown,
    # none is a form field. People act on orders with the event buttons.
    readonly_fields = [*(field.name for field in Order._meta.fields), "saga_run"]
    inlines = [OrderLineInline]

    @admin.display(description="checkout saga")
    def saga_run(self, order: Order) -> str:
        run = _run_of(order)
        if run is None:
            return "-"
        url = reverse("admin:sagas_sagarun_change", args=[run.pk])
        return format_html(
            '<a href="{}">run {} ({})</a>', url, run.pk, run.get_status_display()
        )

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/event/",
                wrap(partial(events.order_event_view, model_admin=self)),
                name="orders_order_event",
            ),
            path(
                "<path:object_id>/cancel/",
                wrap(partial(events.order_cancel_view, model_admin=self)),
                name="orders_order_cancel",
            ),
            *super().get_urls(),
        ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Order | None = None,
    ) -> HttpResponse:
        """Add the order's life (diagram, events, money, stock) to its page.

        Here rather than in ``change_view``: Django has read the order already,
        and a POST that only redirects never renders the form.
        """
        if obj is not None:
            context.update(self._life_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _life_context(self, request: HttpRequest, order: Order) -> dict[str, Any]:
        run = _run_of(order)
        can_act = self.has_change_permission(request, order)
        return {
            "order": order,
            "history": order.transition_rows,
            "diagram": order_diagram(state=order.state),
            "can_act": can_act,
            "events": [
                transition_for(event) for event in order_allowed_events(order=order)
            ],
            "cancellable": order_cancellable(order=order, run=run),
            "run": run,
            "charges": [
                (charge, from_minor(charge.amount_minor, charge.currency))
                for charge in charges_for(operation_id=order.operation_id)
            ],
            "refunds": [
                (refund, from_minor(refund.amount_minor, order.currency))
                for refund in refunds_for(operation_id=order.operation_id)
            ],
            "reservations": reservations_for(operation_id=order.operation_id),
            "shipment": shipment_for(operation_id=order.operation_id),
        }


def _run_of(order: Order) -> SagaRun | None:
    """Return the order's checkout run, read once per order (its page asks twice)."""
    if not hasattr(order, "_checkout_run"):
        order._checkout_run = order_saga_runs(orders=[order]).get(order.operation_id)
    return order._checkout_run
