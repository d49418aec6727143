"""How a checkout ends when its compensations are done: cancelled or refunded."""

from __future__ import annotations

from orders.checkout.steps import ACTOR
from orders.models import Order
from orders.services import order_failure_record, order_transition
from orders.states import State
from sagas.context import StepContext
from sagas.models import SagaRun


def checkout_compensated(ctx: StepContext) -> None:
    """Move the order to its end once every compensation has run.

    This waits for the last compensation on purpose: ``refund`` requires the money
    back AND the stock returned, which is only true after the whole rollback. An
    order that was never paid is cancelled; a paid one is refunded.
    """
    order = Order.objects.get(pk=ctx.state.order_id)
    if not order.failure_code:
        run = SagaRun.objects.only("error", "error_code").get(pk=ctx.run_id)
        cancelled = run.error_code == SagaRun.Reason.CANCELLED
        order_failure_record(
            order_id=order.pk,
            code="cancelled" if cancelled else "checkout_failed",
            message=run.error,
        )
    if order.state == State.CREATED:
        order_transition(
            order=order, event="cancel", actor=ACTOR, operation_id=ctx.operation_id
        )
    elif order.state in (State.PAID, State.RESERVED):
        order_transition(
            order=order, event="refund", actor=ACTOR, operation_id=ctx.operation_id
        )
