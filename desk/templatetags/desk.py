"""The desk's panel on the admin's order page: its action links and the timeline.

A template tag, so that the order's admin (``orders.admin``) needs no import of
the desk: its page loads this library and shows the panel.
"""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.services import refundable_minor
from desk.selectors import desk_actions_for
from desk.timeline import order_timeline
from orders.models import Order
from orders.money import from_minor
from sagas.api import run_timeline

register = template.Library()


@register.inclusion_tag("desk/_order_panel.html", takes_context=True)
def desk_order_panel(context: template.Context) -> dict[str, Any]:
    """Return what the panel shows: what the user may do, and what happened."""
    order, run, user = context["order"], context.get("run"), context["request"].user
    actions = list(desk_actions_for(order=order))
    refundable = refundable_minor(order)
    return {
        "order": order,
        "refundable": from_minor(refundable, order.currency),
        # Only a shipped order is refunded here; before, cancelling undoes it.
        "can_refund": order.state == Order.State.SHIPPED
        and refundable > 0
        and user.has_perm("desk.refund_order"),
        "can_record": refundable > 0 and user.has_perm("desk.record_external_refund"),
        "can_resend": user.has_perm("desk.resend_notification"),
        "actions": actions,
        "events": order_timeline(
            run_events=run_timeline(run=run) if run else [],
            actions=actions,
            staff=True,
        ),
    }
