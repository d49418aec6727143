"""Move an order to ``refunded`` once its refunds give back everything captured."""

from __future__ import annotations

from orders.models import Order
from orders.services import order_transition
from orders.states import State
from payments.selectors import payment_totals


def order_settle(*, order_id: str, actor: str, operation_id: str = "") -> Order:
    """Refund the order (the event) if it is shipped and nothing captured remains.

    A partial refund leaves it shipped. Written in the caller's transaction,
    with the refund that made it true.
    """
    order = Order.objects.get(pk=order_id)
    totals = payment_totals(operation_id=order.operation_id)
    covered = totals.captured_minor > 0 and totals.net_minor <= 0
    if order.state == State.SHIPPED and covered:
        order = order_transition(
            order=order, event="refund", actor=actor, operation_id=operation_id
        )
    return order
