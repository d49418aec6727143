"""How orders appear in the saga review queue: label, link, state and total.

Registered for the checkout saga in ``OrdersConfig.ready()`` through
``sagas.subjects``, so the engine shows and finds orders without importing them.
"""

from __future__ import annotations

import uuid

from django.urls import reverse

from orders.models import Order
from sagas.api import Subject, SubjectSource

# A search term shorter than this is too vague to match order ids by prefix.
MIN_SEARCH_LENGTH = 4
SEARCH_LIMIT = 200


def order_subjects(operation_ids: list[str]) -> dict[str, Subject]:
    """Return the order of each operation id, in one query."""
    orders = Order.objects.filter(operation_id__in=operation_ids).only(
        "id", "operation_id", "state", "total", "currency"
    )
    return {
        order.operation_id: Subject(
            label=str(order.pk)[:8],
            url=reverse("admin:orders_order_change", args=[order.pk]),
            fields={
                "state": order.get_state_display(),
                "total": f"{order.total} {order.currency}",
            },
        )
        for order in orders
    }


def order_search(term: str) -> list[str]:
    """Return the operation ids of orders whose id is, or starts with, ``term``."""
    try:
        orders = Order.objects.filter(pk=uuid.UUID(term))
    except ValueError:
        if len(term) < MIN_SEARCH_LENGTH:
            return []
        # Case-insensitive prefix: the 8 characters the queue shows are enough.
        orders = Order.objects.filter(id__istartswith=term)
    return list(orders.values_list("operation_id", flat=True)[:SEARCH_LIMIT])


CHECKOUT_SUBJECTS = SubjectSource(
    noun="order",
    columns=("state", "total"),
    describe=order_subjects,
    search=order_search,
)
