"""How returns and refunds appear in the saga review queue: their order, state, money.

Registered for the return and refund sagas in ``AftersalesConfig.ready()``, as
orders registers its checkouts: the queue links each run to its order.
"""

from __future__ import annotations

from django.urls import reverse

from aftersales.models import Return
from orders.subjects import MIN_SEARCH_LENGTH, SEARCH_LIMIT
from sagas.api import Subject, SubjectSource


def return_subjects(operation_ids: list[str]) -> dict[str, Subject]:
    """Return the return (or refund) of each operation id, with its order: one query."""
    returns = Return.objects.filter(operation_id__in=operation_ids).select_related(
        "order"
    )
    return {
        ret.operation_id: Subject(
            label=f"{ret.kind} {str(ret.pk)[:8]}",
            url=reverse("admin:orders_order_change", args=[ret.order_id]),
            fields={
                "state": ret.get_state_display(),
                "refund": f"{ret.refund_amount} {ret.currency}",
                "order": str(ret.order_id)[:8],
            },
        )
        for ret in returns
    }


def return_search(term: str) -> list[str]:
    """Return the operation ids of returns of orders whose id starts with ``term``."""
    if len(term) < MIN_SEARCH_LENGTH:
        return []
    rows = Return.objects.filter(order__id__istartswith=term)
    return list(rows.values_list("operation_id", flat=True)[:SEARCH_LIMIT])


RETURN_SUBJECTS = SubjectSource(
    noun="return",
    columns=("state", "refund", "order"),
    describe=return_subjects,
    search=return_search,
)
