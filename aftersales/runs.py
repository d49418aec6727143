"""Record a return or refund and its saga run, then run it here or in a worker.

The one way both kinds start: the row and the run (with its first, local
step: the refund hold) in one transaction under the order's lock, a repeat
found by its operation id, an inline run or a worker's task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from aftersales.models import Return
from aftersales.saga import refund_saga, return_saga
from aftersales.state import AftersalesState
from orders.models import Order
from orders.services import operation_id_for
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

Build = Callable[[], tuple[Return, AftersalesState]]


@dataclass(frozen=True)
class ReturnResult:
    """A return (or refund) and its saga run (``run.step_rows``: its steps)."""

    ret: Return
    run: SagaRun

    @property
    def finished(self) -> bool:
        """Return whether the saga ran to an end (completed or compensated)."""
        return RunResult(self.run).finished


def aftersales_enqueue(*, run_id: int) -> None:
    """Ask a worker to run the saga, once the run row is committed."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "aftersales.tasks.aftersales_resume", run_id, group="aftersales"
        )
    )


def run_start(
    *, saga: Saga, order: Order, operation_id: str, build: Build
) -> ReturnResult:
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
        repeated = run_found(operation_id)
        if repeated is None:
            raise  # Another constraint failed: not a repeated request.
        return run_continue(repeated)
    if not inline:
        aftersales_enqueue(run_id=new.run.pk)
        return ReturnResult(ret=ret, run=new.run)
    try:
        run = new.execute().run
    except NeedsReview as error:
        run = error.run  # an expected ending: it waits for a person
    ret.refresh_from_db()
    return ReturnResult(ret=ret, run=run)


def run_continue(result: ReturnResult) -> ReturnResult:
    """Answer a repeated request with the first one's return and run."""
    if settings.CHECKOUT_EXECUTION != "inline" and result.run.status in ACTIVE_STATUSES:
        # Harmless if a worker has it: a run is advanced only under its lease.
        aftersales_enqueue(run_id=result.run.pk)
    return result


def run_found(operation_id: str) -> ReturnResult | None:
    """Return the return (or refund) and run a request with this id committed."""
    ret = Return.objects.filter(operation_id=operation_id).first()
    if ret is None:
        return None
    run = run_for(saga=_saga_of(ret).name, operation_id=operation_id)
    return ReturnResult(ret=ret, run=run) if run is not None else None


def _saga_of(ret: Return) -> Saga:
    return return_saga if ret.kind == Return.Kind.RETURN else refund_saga


def operation_id_of(kind: str, order: Order, key: str) -> str:
    """Return the operation id of a ``kind`` ("return", "refund") of ``order``.

    Derived from the order and the key, so the same request finds its run.
    """
    return f"{kind}-{operation_id_for(user_id=order.pk, idempotency_key=key)}"


def state_of(
    ret: Return, order: Order, email: str, lines: dict[str, int], saga: Saga
) -> AftersalesState:
    """Return what a return or refund saga starts from: a copy of the facts."""
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
