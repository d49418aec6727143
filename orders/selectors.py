"""Read operations on orders: a user's orders and what can happen to one next."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from orders.exceptions import OrderNotFound
from orders.machine import allowed_events
from orders.models import Order


def order_list_for_user(*, user: Any) -> QuerySet[Order]:
    """Return ``user``'s orders, newest first, with lines and history prefetched."""
    return Order.objects.filter(owner=user).prefetch_related("lines", "transitions")


def order_get_for_user(*, user: Any, order_id: object) -> Order:
    """Return ``user``'s order ``order_id``; anyone else's order is not found."""
    try:
        order_uuid = uuid.UUID(str(order_id))
    except ValueError:
        raise OrderNotFound(order_id=str(order_id)) from None
    order = order_list_for_user(user=user).filter(pk=order_uuid).first()
    if order is None:
        raise OrderNotFound(order_id=str(order_id))
    return order


def order_allowed_events(*, order: Order) -> list[str]:
    """Return the events the state machine allows from ``order``'s state."""
    return allowed_events(order.state)
