"""How a checkout ends when its compensations are done: cancelled or refunded."""

from __future__ import annotations

from orders.checkout.state import CheckoutState
from orders.checkout.steps import ACTOR
from orders.models import Order
from orders.moves import OrderMoves
from orders.services import order_failure_record
from orders.states import State
from sagas.api import StepContext

# The engine's word for a rollback asked for by a person, and for a step that
# failed without an application error of its own (retries used up).
CANCELLED, STEP_FAILED = "cancelled", "step_failed"


def checkout_compensated(ctx: StepContext[CheckoutState]) -> None:
    """Move the order to its end once every compensation has run.

    This waits for the last compensation on purpose: ``refund`` requires the money
    back AND the stock returned, which is only true after the whole rollback. An
    order that was never paid is cancelled; a paid one is refunded. Why it
    failed (``out_of_stock``, ``card_declined``, ...) is recorded on the order
    in the same commit.
    """
    order = Order.objects.get(pk=ctx.state.order_id)
    if not order.failure_code:
        code = (
            "checkout_failed" if ctx.failure_code == STEP_FAILED else ctx.failure_code
        )
        order_failure_record(order_id=order.pk, code=code, message=ctx.failure)
    if order.state == State.CREATED:
        event = "cancel"
    elif order.state in (State.PAID, State.RESERVED):
        event = "refund"
    else:
        return
    moves = ctx.batch("order-moves", lambda: OrderMoves(order=order))
    moves.add(event, actor=ACTOR, operation_id=ctx.operation_id)
