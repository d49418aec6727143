"""Start and cancel checkouts: the orders side of the checkout saga."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from faults.services import fault_plan_set
from orders.checkout.notices import customer_email
from orders.checkout.saga import checkout_saga
from orders.checkout.state import CheckoutState
from orders.exceptions import CheckoutUnavailable, OrderNotCancellable
from orders.models import Order, OrderLine
from orders.money import to_minor
from orders.moves import noted
from orders.selectors import order_reread
from orders.services import (
    operation_id_for,
    order_insert,
    order_lines_insert,
    order_transition,
)
from orders.states import State
from sagas.api import (
    NeedsReview,
    RunResult,
    RunStatus,
    SagaNotCancellable,
    SagaRun,
    StepError,
    run_for,
    saga_cancel,
    saga_record,
)
from warehouse.services import stock_refuse_if_short

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckoutResult:
    """The order of a checkout, and its saga run (``run.step_rows``: its steps)."""

    order: Order
    run: SagaRun

    @property
    def finished(self) -> bool:
        """Return whether the saga ran to an end (completed or compensated)."""
        return RunResult(self.run).finished


def checkout_start(
    *,
    user: Any,
    idempotency_key: str,
    lines: Iterable[Mapping[str, Any]],
    payment_token: str,
    shipping_address: Mapping[str, Any],
    faults: Mapping[str, str] | None = None,
) -> CheckoutResult:
    """Create the order for this user and key, hold its stock, start its saga.

    One transaction writes the order's lines (priced as they go in), its fault
    plan, the stock holds (the saga's first step, run right here), the saga
    run and the order with its first event. A refused hold raises
    ``OutOfStock`` and that transaction rolls back: a checkout refused for
    stock leaves nothing behind but the answer the Idempotency-Key store
    keeps. The same user and key always give the same operation id, so a
    repeated request finds the order and the run of the first one instead of
    starting another. With ``CHECKOUT_EXECUTION = "inline"`` the saga runs to
    its end in this call; with ``"worker"`` a django-q2 worker runs the rest.
    """
    operation_id = operation_id_for(user_id=user.pk, idempotency_key=idempotency_key)
    inline = settings.CHECKOUT_EXECUTION == "inline"
    lines = list(lines)
    # A SKU this process just saw sold out is checked with one read first: a
    # flash sale's late buyers are refused without opening a transaction.
    stock_refuse_if_short(lines=lines)
    try:
        with transaction.atomic():
            order_id = uuid.uuid4()
            priced = order_lines_insert(order_id=order_id, lines=lines)
            if faults:
                # Before the hold: its fault point reads the plan.
                fault_plan_set(operation_id=operation_id, plan=dict(faults))
            new = saga_record(
                saga=checkout_saga,
                operation_id=operation_id,
                state=checkout_state(
                    order_id=order_id,
                    lines=priced,
                    user=user,
                    payment_token=payment_token,
                    shipping_address=shipping_address,
                ),
                claim=inline,
            )
            order = order_insert(
                order_id=order_id,
                owner=user,
                lines=priced,
                payment_token=payment_token,
                shipping_address=shipping_address,
                operation_id=operation_id,
                fault_plan=faults,
            )
    except StepError as refused:
        # The hold refused (out of stock) or kept failing: nothing was kept.
        if isinstance(refused.error, checkout_saga.business_errors):
            raise refused.error from refused
        raise CheckoutUnavailable(
            f"{refused.step}: {refused.message}", step=refused.step
        ) from refused
    except IntegrityError:
        repeated = _checkout_found(operation_id=operation_id)
        if repeated is None:
            raise  # Another constraint failed: not a repeated request.
        if not inline:
            # Harmless if a worker has it: a run is advanced only under its lease.
            checkout_enqueue(run_id=repeated.run.pk)
        return repeated
    if not inline:
        checkout_enqueue(run_id=new.run.pk)
        return CheckoutResult(order=order, run=new.run)
    with noted() as moves:
        try:
            run = new.execute().run
        except NeedsReview as error:
            run = error.run  # an expected ending: it waits for a person
    if run.status == SagaRun.Status.COMPLETED:
        # Shipped, as its steps' moves say: no need to read the order back.
        order.set_persisted_state(moves[-1].to_state if moves else order.state)
        order.transition_rows = [*order.transition_rows, *moves]
        return CheckoutResult(order=order, run=run)
    return CheckoutResult(order=order_reread(order=order), run=run)


def checkout_state(
    *,
    order_id: uuid.UUID,
    lines: list[OrderLine],
    user: Any,
    payment_token: str,
    shipping_address: Mapping[str, Any],
) -> CheckoutState:
    """Return what the checkout saga starts from: a copy of the order's facts.

    Order lines never change after creation, so the saga may rely on its copy.
    """
    total = sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))
    currency = lines[0].currency
    return CheckoutState(
        order_id=str(order_id),
        lines=[{"sku": line.sku, "quantity": line.quantity} for line in lines],
        amount_minor=to_minor(total, currency),
        currency=currency,
        payment_token=payment_token,
        shipping_address=dict(shipping_address),
        email=customer_email(user),
        phone=str(shipping_address.get("phone", "")),
    )


def _checkout_found(*, operation_id: str) -> CheckoutResult | None:
    """Return the checkout a first request with this operation id committed."""
    order = Order.objects.filter(operation_id=operation_id).first()
    run = run_for(saga=checkout_saga.name, operation_id=operation_id)
    if order is None or run is None:
        return None
    return CheckoutResult(order=order, run=run)


def checkout_enqueue(*, run_id: int) -> None:
    """Ask a worker to run the saga, once the run row is committed."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task("orders.tasks.checkout_resume", run_id, group="checkout")
    )


def order_cancel(*, order: Order, actor: str) -> Order:
    """Cancel an order: undo its checkout's completed steps, in reverse order.

    ``created`` ends ``cancelled``; ``paid`` and ``reserved`` are refunded. A
    ``shipped`` order raises ``IllegalTransition``; a cancelled or refunded one
    is returned unchanged. If a worker is running the saga right now, the
    cancellation is flagged and that worker compensates before its next step.
    """
    if order.state in (State.CANCELLED, State.REFUNDED):
        return order
    if order.state == State.SHIPPED:
        # Let the state machine say why, in its own words.
        return order_transition(order=order, event="cancel", actor=actor)
    run = run_for(saga=checkout_saga.name, operation_id=order.operation_id)
    if run is not None:
        try:
            saga_cancel(
                saga=checkout_saga, operation_id=order.operation_id, actor=actor
            )
        except SagaNotCancellable as refused:
            # Refused once the shipment is under way: never accepted and lost.
            raise OrderNotCancellable(
                refused.message, order_id=str(order.pk), reason=_why(refused)
            ) from refused
    else:
        order_transition(
            order=order, event="cancel", actor=actor, operation_id=order.operation_id
        )
    # The cancellation moved the order and added to its history: one read of both.
    return order_reread(order=order)


def _why(refused: SagaNotCancellable) -> str:
    """Return the reason of an order cancel the checkout run refused."""
    if "pivot" in refused.extra:
        return "shipping"
    run = refused.run
    if run is not None and run.status == RunStatus.NEEDS_REVIEW:
        return "under_review"
    return "finished"
