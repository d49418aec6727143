"""Start returns and refunds of shipped orders, and record refunds made elsewhere.

The public contract the customer-service screens call: ``refundable_minor``,
``refund_start``, ``refund_record_external``; the customer's return is
``return_start``. Each starts its saga on the engine, or records a fact, and
is idempotent: by its key (a saga's operation id is derived from it), or by
the external reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from aftersales.checks import refund_amount_of, return_lines_merge, returnable_check
from aftersales.exceptions import RefundNotAllowed, RefundTooLarge
from aftersales.models import Return, ReturnLine
from aftersales.runs import (
    ReturnResult,
    operation_id_of,
    run_continue,
    run_found,
    run_start,
    state_of,
)
from aftersales.saga import RETURN_FAULT_POINTS, refund_saga, return_saga
from aftersales.selectors import refundable_minor
from aftersales.settlement import order_settle
from aftersales.state import AftersalesState
from claims.rows import row_claim
from faults.services import fault_plan_set
from orders.models import Order
from orders.money import to_minor
from orders.states import State
from payments.exceptions import RefundExceedsCharge
from payments.models import Refund
from payments.refunds import payment_refund_record_external

__all__ = [
    "RefundOutcome",
    "ReturnResult",
    "refund_record_external",
    "refund_start",
    "refundable_minor",
    "return_start",
]


@dataclass(frozen=True)
class RefundOutcome:
    """What a customer-service refund did: how much, where it stands, which run."""

    return_id: str
    amount_minor: int
    status: str  # the refund's state: "refunded", "requested", "cancelled"
    run_status: str
    run_id: int
    operation_id: str

    @classmethod
    def of(cls, result: ReturnResult) -> RefundOutcome:
        """Return the outcome of a refund's row and run."""
        return cls(
            return_id=str(result.ret.pk),
            amount_minor=result.ret.refund_minor,
            status=result.ret.state,
            run_status=result.run.status,
            run_id=result.run.pk,
            operation_id=result.ret.operation_id,
        )


def return_start(
    *,
    order: Order,
    user: Any,
    idempotency_key: str,
    lines: Sequence[Mapping[str, Any]],
    reason: str,
    faults: Mapping[str, str] | None = None,
) -> ReturnResult:
    """Start the return of some shipped units of ``order``; refund their value.

    Raise ``ReturnNotAllowed`` unless the order is shipped,
    ``ReturnWindowClosed`` past ``RETURN_WINDOW_DAYS``, ``ReturnTooLarge`` for
    more units than were shipped and not yet returned, ``InvalidReturn`` for
    a SKU the order does not have. The refund is the lines' value as they
    were sold, or what remains refundable if less (after a goodwill refund).
    ``faults`` is the return's fault plan; without one, the return-only points
    of the order's own plan (chosen in the lab when buying) apply. The same
    user and key give the same return. Inline (``CHECKOUT_EXECUTION``)
    the saga runs to its end in this call; else a worker runs it.
    """
    operation_id = operation_id_of("return", order, f"{user.pk}:{idempotency_key}")
    repeated = run_found(operation_id)
    if repeated is not None:
        return run_continue(repeated)
    wanted = return_lines_merge(lines)
    returnable_check(order, wanted)
    prices = {line.sku: line.unit_price for line in order.line_rows}
    value = sum((prices[sku] * units for sku, units in wanted.items()), Decimal(0))

    def build() -> tuple[Return, AftersalesState]:
        returnable_check(order, wanted)  # again, under the order's lock
        refund = min(to_minor(value, order.currency), refundable_minor(order))
        ret = Return.objects.create(
            order=order,
            kind=Return.Kind.RETURN,
            operation_id=operation_id,
            reason=reason,
            actor=f"user:{user.get_username()}",
            refund_minor=refund,
            currency=order.currency,
        )
        ReturnLine.objects.bulk_create(
            ReturnLine(ret=ret, sku=sku, quantity=units, unit_price=prices[sku])
            for sku, units in wanted.items()
        )
        plan = dict(faults) if faults else _planned_at_checkout(order)
        if plan:
            fault_plan_set(operation_id=operation_id, plan=plan)
        return ret, state_of(ret, order, user.email, wanted, return_saga)

    return run_start(
        saga=return_saga, order=order, operation_id=operation_id, build=build
    )


def _planned_at_checkout(order: Order) -> dict[str, str]:
    """Return the return's faults the order's lab plan named (the lab buys once)."""
    if not settings.FAULT_INJECTION:
        return {}
    return {
        point: mode
        for point, mode in (order.fault_plan or {}).items()
        if point in RETURN_FAULT_POINTS and point != "notifications.email"
    }


def refund_start(
    *,
    order: Order,
    reason: str,
    idempotency_key: str,
    actor: str,
    amount_minor: int | None = None,
    lines: Sequence[tuple[str, int]] | None = None,
    faults: Mapping[str, str] | None = None,
) -> RefundOutcome:
    """Refund a shipped order without goods coming back (customer service).

    In full (``amount_minor`` and ``lines`` both None), by amount, or by the
    value of order ``lines`` as ``(sku, quantity)``. Runs the refund saga:
    the same hold, processor call and ledger record as a return's refund.
    Idempotent by key: the same key again returns the first outcome. Raise
    ``RefundNotAllowed`` unless the order is shipped with money left to
    refund, ``RefundTooLarge`` for more than is refundable (or a line beyond
    what was ordered). ``faults``: a fault plan for its run (the lab, tests).
    """
    operation_id = operation_id_of("refund", order, idempotency_key)
    repeated = run_found(operation_id)
    if repeated is not None:
        return RefundOutcome.of(run_continue(repeated))
    if order.state != State.SHIPPED:
        raise RefundNotAllowed(
            f"Order {order.pk} is {order.state}; only a shipped order is refunded "
            "here.",
            order_id=str(order.pk),
            state=order.state,
        )
    amount = refund_amount_of(order, amount_minor, lines)
    prices = {line.sku: line.unit_price for line in order.line_rows}

    def build() -> tuple[Return, AftersalesState]:
        refundable = refundable_minor(order)
        if not refundable:
            raise RefundNotAllowed(f"Nothing of order {order.pk} is left to refund.")
        wanted = refundable if amount is None else amount
        if wanted > refundable:
            raise RefundTooLarge(
                f"{wanted} is more than the {refundable} left to refund.",
                refundable_minor=refundable,
            )
        ret = Return.objects.create(
            order=order,
            kind=Return.Kind.REFUND,
            operation_id=operation_id,
            reason=reason,
            actor=actor,
            refund_minor=wanted,
            currency=order.currency,
        )
        # By lines: which units the money is for, priced as sold (none came back).
        ReturnLine.objects.bulk_create(
            ReturnLine(ret=ret, sku=sku, quantity=units, unit_price=prices[sku])
            for sku, units in lines or ()
        )
        if faults:
            fault_plan_set(operation_id=operation_id, plan=dict(faults))
        return ret, state_of(ret, order, order.owner.email, {}, refund_saga)

    return RefundOutcome.of(
        run_start(saga=refund_saga, order=order, operation_id=operation_id, build=build)
    )


def refund_record_external(
    *, order: Order, amount_minor: int, reference: str, reason: str, actor: str
) -> Refund:
    """Record a refund made outside this system (a processor dashboard, a transfer).

    The ledger then tells what the processor (or the bank) did, and ``audit``
    agrees again; a shipped order whose refunds now cover everything becomes
    refunded. Idempotent by ``reference``. Raise ``RefundTooLarge`` when it is
    more than what remains refundable.
    """
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise RefundTooLarge(f"{amount_minor!r} is not an amount to refund.")
    with transaction.atomic():
        try:
            refund = payment_refund_record_external(
                operation_id=order.operation_id,
                amount_minor=amount_minor,
                reference=reference,
                reason=reason,
                actor=actor,
            )
        except RefundExceedsCharge as refused:
            raise RefundTooLarge(
                refused.message, refundable_minor=refundable_minor(order)
            ) from refused
        row_claim(
            Return,
            lookup={"operation_id": f"external:{reference}"},
            values={
                "order": order,
                "kind": Return.Kind.REFUND,
                "state": Return.State.REFUNDED,
                "reason": reason,
                "actor": actor,
                "refund_minor": amount_minor,
                "currency": order.currency,
            },
        )
        order_settle(
            order_id=str(order.pk), actor=actor, operation_id=order.operation_id
        )
    return refund
