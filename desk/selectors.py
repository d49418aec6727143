"""Read what the customer service desk did to an order."""

from __future__ import annotations

from django.db.models import QuerySet

from desk.models import DeskAction
from orders.models import Order


def desk_actions_for(*, order: Order) -> QuerySet[DeskAction]:
    """Return the order's desk actions, oldest first."""
    return DeskAction.objects.filter(order=order).order_by("created_at", "id")
