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
from django.db import IntegrityError, transaction
from django.utils import timezone

from aftersales.exceptions import (
    InvalidReturn,
    RefundNotAllowed,
    RefundTooLarge,
    ReturnNotAllowed,
    ReturnTooLarge,
    ReturnWindowClosed,
)
from aftersales.models import Return, ReturnLine
from aftersales.saga import refund_saga, return_saga
from aftersales.selectors import (
    refundable_minor,
    return_window_open,
    returnable_quantities,
)
from aftersales.settlement import order_settle
from aftersales.state import AftersalesState
from faults.services import fault_plan_set
from orders.models import Order
from orders.money import to_minor
from orders.services import operation_id_for
from orders.states import State
from payments.exceptions import RefundExceedsCharge
from payments.models import Refund
from payments.refunds import payment_refund_record_external
from sagas.api import (
    ACTIVE_STATUSES,
    NeedsReview,
    RunResult,
    Saga,
    SagaRun,
    StepError,
    run_for,
    saga_record,
)

__all__ = [
    "RefundOutcome",
    "ReturnResult",
    "refund_record_external",
    "refund_start",
    "refundable_minor",
    "return_start",
]


@dataclass(frozen=True)
class ReturnResult:
    """A return (or refund) and its saga run (``run.step_rows``: its steps)."""

    ret: Return
    run: SagaRun

    @property
    def finished(self) -> bool:
        """Return whether the saga ran to an end (completed or compensated)."""
        return RunResult(self.run).finished


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
    The same user and key give the same return. Inline (``CHECKOUT_EXECUTION``)
    the saga runs to its end in this call; else a worker runs it.
    """
    operation_id = _operation_id("return", order, f"{user.pk}:{idempotency_key}")
    repeated = _found(operation_id)
    if repeated is not None:
        return _continue(repeated)
    wanted = _lines_merge(lines)
    _returnable_check(order, wanted)
    prices = {line.sku: line.unit_price for line in order.line_rows}
    value = sum((prices[sku] * units for sku, units in wanted.items()), Decimal(0))

    def build() -> tuple[Return, AftersalesState]:
        _returnable_check(order, wanted)  # again, under the order's lock
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
        if faults:
            fault_plan_set(operation_id=operation_id, plan=dict(faults))
        return ret, _state(ret, order, user.email, wanted, return_saga)

    return _start(return_saga, order, operation_id, build)


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
    operation_id = _operation_id("refund", order, idempotency_key)
    repeated = _found(operation_id)
    if repeated is not None:
        return RefundOutcome.of(_continue(repeated))
    if order.state != State.SHIPPED:
        raise RefundNotAllowed(
            f"Order {order.pk} is {order.state}; only a shipped order is refunded "
            "here.",
            order_id=str(order.pk),
            state=order.state,
        )
    amount = _refund_amount(order, amount_minor, lines)

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
        if faults:
            fault_plan_set(operation_id=operation_id, plan=dict(faults))
        return ret, _state(ret, order, order.owner.email, {}, refund_saga)

    return RefundOutcome.of(_start(refund_saga, order, operation_id, build))


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
        Return.objects.get_or_create(
            operation_id=f"external:{reference}",
            defaults={
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


def return_enqueue(*, run_id: int) -> None:
    """Ask a worker to run the saga, once the run row is committed."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "aftersales.tasks.aftersales_resume", run_id, group="aftersales"
        )
    )


# -- the shared way to start a return or refund saga ---------------------------------


def _start(saga: Saga, order: Order, operation_id: str, build) -> ReturnResult:
    """Record the row and its run in one transaction, then run or enqueue it.

    The order row is locked first: two returns of one order cannot both
    count the same units as still returnable. The saga's first step (the
    refund hold) runs in this transaction too, as checkout's hold does.
    """
    inline = settings.CHECKOUT_EXECUTION == "inline"
    try:
        with transaction.atomic():
            Order.objects.select_for_update().filter(pk=order.pk).first()
            ret, state = build()
            new = saga_record(
                saga=saga, operation_id=operation_id, state=state, claim=inline
            )
    except StepError as refused:
        # The hold refused (a refund raced us for the same money): nothing kept.
        if isinstance(refused.error, saga.business_errors):
            raise refused.error from refused
        raise
    except IntegrityError:
        repeated = _found(operation_id)
        if repeated is None:
            raise  # Another constraint failed: not a repeated request.
        return _continue(repeated)
    if not inline:
        return_enqueue(run_id=new.run.pk)
        return ReturnResult(ret=ret, run=new.run)
    try:
        run = new.execute().run
    except NeedsReview as error:
        run = error.run  # an expected ending: it waits for a person
    ret.refresh_from_db()
    return ReturnResult(ret=ret, run=run)


def _continue(result: ReturnResult) -> ReturnResult:
    """Answer a repeated request with the first one's return and run."""
    if settings.CHECKOUT_EXECUTION != "inline" and result.run.status in ACTIVE_STATUSES:
        # Harmless if a worker has it: a run is advanced only under its lease.
        return_enqueue(run_id=result.run.pk)
    return result


def _found(operation_id: str) -> ReturnResult | None:
    ret = Return.objects.filter(operation_id=operation_id).first()
    if ret is None:
        return None
    run = run_for(saga=_saga_of(ret).name, operation_id=operation_id)
    return ReturnResult(ret=ret, run=run) if run is not None else None


def _saga_of(ret: Return) -> Saga:
    return return_saga if ret.kind == Return.Kind.RETURN else refund_saga


def _operation_id(kind: str, order: Order, key: str) -> str:
    # Scoped by the order: one key names one return of one order.
    return f"{kind}-{operation_id_for(user_id=order.pk, idempotency_key=key)}"


def _state(
    ret: Return, order: Order, email: str, lines: dict[str, int], saga: Saga
) -> AftersalesState:
    return AftersalesState(
        return_id=str(ret.pk),
        order_id=str(order.pk),
        order_operation_id=order.operation_id,
        refund_minor=ret.refund_minor,
        refund_key=saga.idempotency_key(ret.operation_id, "refund-payment"),
        currency=order.currency,
        email=email or f"{order.owner.get_username()}@example.com",
        lines=[{"sku": sku, "quantity": units} for sku, units in lines.items()],
        reason=ret.reason,
        actor=ret.actor,
    )


def _lines_merge(lines: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    wanted: dict[str, int] = {}
    for line in lines:
        sku, units = line.get("sku"), line.get("quantity")
        if not isinstance(sku, str) or not isinstance(units, int) or units < 1:
            raise InvalidReturn(f"Invalid line: {line!r}.")
        wanted[sku] = wanted.get(sku, 0) + units
    if not wanted:
        raise InvalidReturn("A return names at least one line.")
    return dict(sorted(wanted.items()))


def _returnable_check(order: Order, wanted: dict[str, int]) -> None:
    if order.state != State.SHIPPED:
        raise ReturnNotAllowed(
            f"Order {order.pk} is {order.state}, not shipped.",
            order_id=str(order.pk),
            state=order.state,
        )
    if not return_window_open(order=order, now=timezone.now()):
        raise ReturnWindowClosed(
            f"Returns close {settings.RETURN_WINDOW_DAYS} days after shipping.",
            order_id=str(order.pk),
        )
    returnable = returnable_quantities(order=order)
    unknown = sorted(set(wanted) - set(returnable))
    if unknown:
        raise InvalidReturn(
            f"Order {order.pk} has no {', '.join(unknown)}.", skus=unknown
        )
    over = {
        sku: returnable[sku] for sku, units in wanted.items() if units > returnable[sku]
    }
    if over:
        raise ReturnTooLarge(
            "More units than were shipped and not yet returned: "
            + ", ".join(f"{sku} (at most {units})" for sku, units in over.items()),
            returnable=over,
        )


def _refund_amount(
    order: Order, amount_minor: int | None, lines: Sequence[tuple[str, int]] | None
) -> int | None:
    """Return the amount asked (None: all that is refundable)."""
    if amount_minor is not None and lines is not None:
        raise RefundTooLarge("Refund by amount or by lines, not both.")
    if lines is not None:
        ordered = {line.sku: line for line in order.line_rows}
        value = Decimal(0)
        for sku, units in lines:
            line = ordered.get(sku)
            if (
                line is None
                or not isinstance(units, int)
                or not 0 < units <= line.quantity
            ):
                raise RefundTooLarge(f"Order {order.pk} has no {units} x {sku}.")
            value += line.unit_price * units
        return to_minor(value, order.currency)
    if amount_minor is not None and (
        not isinstance(amount_minor, int) or amount_minor <= 0
    ):
        raise RefundTooLarge(f"{amount_minor!r} is not an amount to refund.")
    return amount_minor
