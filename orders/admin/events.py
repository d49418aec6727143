"""The order page's buttons: fire an allowed event, or cancel the checkout.

Both go through the services (``order_transition``, ``order_cancel``), never
around them; the state machine's own error is shown when it refuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from orders.checkout.services import order_cancel
from orders.models import Order
from orders.services import order_transition
from problems.errors import ApplicationError
from readonly_admin.operator import admin_actor

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin


@require_POST
def order_event_view(
    request: HttpRequest, object_id: str, *, model_admin: ModelAdmin
) -> HttpResponse:
    """Fire the posted event on the order through its state machine."""
    order = _order_to_change(request, object_id, model_admin)
    event = request.POST.get("event", "")
    before = order.get_state_display()
    try:
        order = order_transition(
            order=order,
            event=event,
            actor=admin_actor(request),
            operation_id=order.operation_id,
        )
        after = order.get_state_display()
    except ApplicationError as error:
        messages.error(request, f"Nothing was done: {error.message}")
    else:
        model_admin.log_change(request, order, f"Event {event}: {before} -> {after}")
        messages.success(request, f"Event {event!r}: {before} -> {after}.")
    return _back_to(order)


@require_POST
def order_cancel_view(
    request: HttpRequest, object_id: str, *, model_admin: ModelAdmin
) -> HttpResponse:
    """Cancel the order: its checkout's completed steps are undone."""
    order = _order_to_change(request, object_id, model_admin)
    try:
        order = order_cancel(order=order, actor=admin_actor(request))
    except ApplicationError as error:
        messages.error(request, f"Nothing was done: {error.message}")
    else:
        model_admin.log_change(request, order, f"Cancelled: now {order.state}")
        messages.success(request, f"Cancel requested: the order is {order.state}.")
    return _back_to(order)


def _order_to_change(
    request: HttpRequest, object_id: str, model_admin: ModelAdmin
) -> Order:
    order = model_admin.get_object(request, unquote(object_id))
    if order is None:
        raise Http404("No such order.")
    if not model_admin.has_change_permission(request, order):
        raise PermissionDenied
    return order


def _back_to(order: Order) -> HttpResponse:
    return redirect(reverse("admin:orders_order_change", args=[order.pk]))
