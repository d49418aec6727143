"""Read returns and refunds: an order's returns, what may still come back or go back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet, Sum

from aftersales.models import Return, ReturnLine
from orders.models import Order
from payments.selectors import payment_refundable_minor, payment_totals
from sagas.api import SagaRun, runs_for


def returns_for(*, order: Order) -> QuerySet[Return]:
    """Return the order's returns and refunds, oldest first, with their lines."""
    return Return.objects.filter(order=order).prefetch_related("lines")


def refundable_minor(order: Order) -> int:
    """Return what may still be refunded: captured minus refunded and held."""
    return payment_refundable_minor(operation_id=order.operation_id)


def refunded_minor(order: Order) -> int:
    """Return what was refunded of the order so far (ledger), in minor units."""
    return payment_totals(operation_id=order.operation_id).refunded_minor


def returned_quantities(*, order: Order) -> dict[str, int]:
    """Return the units per SKU already sent back (or on their way), by SKU.

    Cancelled returns do not count: their units never came back.
    """
    rows = (
        ReturnLine.objects.filter(ret__order=order, ret__kind=Return.Kind.RETURN)
        .exclude(ret__state=Return.State.CANCELLED)
        .values("sku")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return {row["sku"]: row["units"] for row in rows}


def returnable_quantities(*, order: Order) -> dict[str, int]:
    """Return the units per SKU that were shipped and are not returned yet."""
    returned = returned_quantities(order=order)
    ordered: dict[str, int] = {}
    for line in order.line_rows:
        ordered[line.sku] = ordered.get(line.sku, 0) + line.quantity
    return {sku: units - returned.get(sku, 0) for sku, units in ordered.items()}


def shipped_at(*, order: Order) -> datetime | None:
    """Return when the order shipped (its ``ship`` event), None if it did not."""
    return next(
        (row.created_at for row in order.transition_rows if row.event == "ship"), None
    )


def return_window_open(*, order: Order, now: datetime) -> bool:
    """Return whether the order's return window (``RETURN_WINDOW_DAYS``) is open."""
    shipped = shipped_at(order=order)
    if shipped is None:
        return False
    return now <= shipped + timedelta(days=settings.RETURN_WINDOW_DAYS)


def return_saga_runs(*, returns: Iterable[Return]) -> dict[str, SagaRun]:
    """Return the runs of ``returns`` (return or refund sagas) by operation id."""
    returns = list(returns)
    runs: dict[str, SagaRun] = {}
    for kind, saga in ((Return.Kind.RETURN, "return"), (Return.Kind.REFUND, "refund")):
        operation_ids = [ret.operation_id for ret in returns if ret.kind == kind]
        if operation_ids:
            runs.update(runs_for(saga=saga, operation_ids=operation_ids))
    return runs
