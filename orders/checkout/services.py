"""Start and cancel checkouts: the orders side of the checkout saga."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from faults.services import fault_plan_set
from orders.checkout.saga import checkout_saga
from orders.checkout.state import CheckoutState
from orders.models import Order
from orders.money import to_minor
from orders.selectors import order_reread
from orders.services import operation_id_for, order_insert, order_transition
from orders.states import State
from sagas.exceptions import NeedsReview, StepError
from sagas.models import SagaRun
from sagas.services import saga_cancel, saga_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckoutResult:
    """The order of a checkout, and its saga run (``run.step_rows``: its steps)."""

    order: Order
    run: SagaRun

    @property
    def finished(self) -> bool:
        """Return whether the saga ran to an end (completed or compensated)."""
        return self.run.status in (SagaRun.Status.COMPLETED, SagaRun.Status.COMPENSATED)


def checkout_start(
    *,
    user: Any,
    idempotency_key: str,
    lines: Iterable[Mapping[str, Any]],
    payment_token: str,
    shipping_address: Mapping[str, Any],
    faults: Mapping[str, str] | None = None,
) -> CheckoutResult:
    """Create the order for this user and key, and start its checkout saga.

    The order, its fault plan and its saga run commit in one transaction: there
    is never an order that no saga will move. The same user and key always give
    the same operation id, so a repeated request finds the order and the run of
    the first one instead of starting another. With ``CHECKOUT_EXECUTION =
    "inline"`` the saga runs to its end in this call; with ``"worker"`` a
    django-q2 worker runs it.
    """
    operation_id = operation_id_for(user_id=user.pk, idempotency_key=idempotency_key)
    inline = settings.CHECKOUT_EXECUTION == "inline"
    try:
        with transaction.atomic():
            order = order_insert(
                owner=user,
                lines=lines,
                payment_token=payment_token,
                shipping_address=shipping_address,
                operation_id=operation_id,
                fault_plan=faults,
            )
            if faults:
                fault_plan_set(operation_id=operation_id, plan=dict(faults))
            new = saga_record(
                saga=checkout_saga,
                operation_id=operation_id,
                state=checkout_state(order=order, user=user),
                claim=inline,
            )
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
    try:
        run = new.execute()
    except (StepError, NeedsReview) as error:
        # Expected endings: the saga rolled back, or stopped for a person.
        run = error.run
    return CheckoutResult(order=order_reread(order=order), run=run)


def checkout_state(*, order: Order, user: Any) -> CheckoutState:
    """Return what the checkout saga starts from: a copy of the order's facts.

    Order lines never change after creation, so the saga may rely on its copy.
    """
    return CheckoutState(
        order_id=str(order.pk),
        lines=[
            {"sku": line.sku, "quantity": line.quantity} for line in order.line_rows
        ],
        amount_minor=to_minor(order.total, order.currency),
        currency=order.currency,
        payment_token=order.payment_token,
        shipping_address=order.shipping_address,
        email=user.email or f"{user.get_username()}@example.com",
        phone=str(order.shipping_address.get("phone", "")),
    )


def _checkout_found(*, operation_id: str) -> CheckoutResult | None:
    """Return the checkout a first request with this operation id committed."""
    order = Order.objects.filter(operation_id=operation_id).first()
    run = SagaRun.objects.filter(operation_id=operation_id).first()
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
    if SagaRun.objects.filter(operation_id=order.operation_id).exists():
        saga_cancel(operation_id=order.operation_id, actor=actor)
    else:
        order_transition(
            order=order, event="cancel", actor=actor, operation_id=order.operation_id
        )
    # The cancellation moved the order and added to its history: one read of both.
    return order_reread(order=order)
