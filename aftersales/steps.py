"""The actions, records, undos and reconcile functions of the return and refund sagas.

As in checkout: an *action* makes one call to another service with the run's
key and notes the answer in the state; a *record* writes what it means here
(the return's row, our ledger, the order's move) in the transaction that
records the step; a *local* step does both at once. Both sagas refund
through the same three functions: hold the allowance, send, record.
"""

from __future__ import annotations

from aftersales.exceptions import RefundTooLarge
from aftersales.models import Return
from aftersales.settlement import order_settle
from aftersales.state import AftersalesState
from notifications.services import notification_send
from orders.money import from_minor
from payments.exceptions import RefundExceedsCharge
from payments.refunds import (
    payment_refund_hold,
    payment_refund_lookup,
    payment_refund_record,
    payment_refund_release,
    payment_refund_send,
)
from sagas.api import Outcome, StepContext
from shipping.returns import (
    return_parcel_book,
    return_parcel_cancel,
    return_parcel_lookup,
    return_parcel_receive,
)
from shipping.simulator.models import CarrierReturn
from warehouse.services import stock_return

ACTOR = "saga:aftersales"
# The fault point of a return's refund, apart from the checkout's "payments.refund".
RETURN_REFUND_POINT = "payments.return_refund"
Context = StepContext[AftersalesState]


def _state_set(ctx: Context, state: str, **fields: str) -> None:
    Return.objects.filter(pk=ctx.state.return_id).update(state=state, **fields)


# -- hold-refund (local): the refund allowance, taken first ------------------------


def hold_refund(ctx: Context) -> None:
    """Take the refund's amount from the charge's allowance: the semantic lock."""
    state = ctx.state
    if not state.refund_minor:
        return  # nothing left to refund: the units still come back
    try:
        payment_refund_hold(
            operation_id=state.order_operation_id,
            idempotency_key=state.refund_key,
            amount_minor=state.refund_minor,
        )
    except RefundExceedsCharge as refused:
        raise RefundTooLarge(refused.message) from refused


def release_refund(ctx: Context) -> None:
    """Give the allowance back: this refund will not be made."""
    payment_refund_release(idempotency_key=ctx.state.refund_key)


# -- book-return: a parcel label from the carrier ----------------------------------


def book_return(ctx: Context) -> None:
    """Ask the carrier to book the return parcel."""
    answer = return_parcel_book(
        operation_id=ctx.operation_id,
        shipment_operation_id=ctx.state.order_operation_id,
        idempotency_key=ctx.idempotency_key,
    )
    ctx.state.parcel_id, ctx.state.tracking_number = answer.id, answer.tracking_number


def return_booked(ctx: Context) -> None:
    """Record the parcel on the return."""
    state = ctx.state
    _state_set(
        ctx,
        Return.State.BOOKED,
        parcel_id=state.parcel_id,
        tracking_number=state.tracking_number,
    )


def reconcile_booking(ctx: Context) -> Outcome:
    """Ask the carrier whether our booking happened (its record then follows)."""
    answer = return_parcel_lookup(idempotency_key=ctx.idempotency_key)
    if answer is None:
        return Outcome.NOT_HAPPENED
    if answer.status == CarrierReturn.Status.CANCELLED:
        return Outcome.UNKNOWN  # booked, then cancelled at the carrier: ask a person
    ctx.state.parcel_id, ctx.state.tracking_number = answer.id, answer.tracking_number
    return Outcome.COMPLETED


def cancel_return(ctx: Context) -> None:
    """Cancel the parcel booking."""
    if ctx.state.parcel_id:
        return_parcel_cancel(
            operation_id=ctx.operation_id, return_id=ctx.state.parcel_id
        )


# -- receive-parcel: the pivot -----------------------------------------------------


def receive_parcel(ctx: Context) -> None:
    """Ask whether the parcel reached the warehouse; not yet is retried later."""
    return_parcel_receive(operation_id=ctx.operation_id, return_id=ctx.state.parcel_id)


def parcel_received(ctx: Context) -> None:
    """Record that the units are back in the building."""
    _state_set(ctx, Return.State.RECEIVED)


# -- restock (local): the units back on the shelf ----------------------------------


def restock(ctx: Context) -> None:
    """Put the returned units back on stock, a ``returned`` movement per SKU."""
    stock_return(operation_id=ctx.operation_id, lines=ctx.state.lines)
    _state_set(ctx, Return.State.RESTOCKED)


# -- refund-payment: the money back ------------------------------------------------


def refund_payment(ctx: Context) -> None:
    """Ask the processor for the refund the hold reserved."""
    state = ctx.state
    if not state.refund_minor:
        return
    answer = payment_refund_send(
        idempotency_key=state.refund_key,
        reference=state.order_operation_id,
        fault_point=RETURN_REFUND_POINT,
        fault_scope=ctx.operation_id,
    )
    state.refund_id = answer.id


def refund_recorded(ctx: Context) -> None:
    """Record the refund in our ledger; the order is refunded if nothing remains."""
    state = ctx.state
    if state.refund_minor:
        payment_refund_record(
            idempotency_key=state.refund_key,
            external_id=state.refund_id,
            reason=state.reason,
            actor=state.actor,
        )
    _state_set(ctx, Return.State.REFUNDED)
    order_settle(
        order_id=state.order_id, actor=ACTOR, operation_id=state.order_operation_id
    )


def reconcile_refund(ctx: Context) -> Outcome:
    """Ask the processor whether our refund happened (its record then follows)."""
    if not ctx.state.refund_minor:
        return Outcome.COMPLETED
    answer = payment_refund_lookup(idempotency_key=ctx.state.refund_key)
    if answer is None:
        return Outcome.NOT_HAPPENED
    ctx.state.refund_id = answer.id
    return Outcome.COMPLETED


# -- notify: retried, never undone -------------------------------------------------


def notify_email(ctx: Context) -> None:
    """Tell the customer what came back and what was refunded."""
    state = ctx.state
    amount = from_minor(state.refund_minor, state.currency)
    notification_send(
        operation_id=ctx.operation_id,
        channel="email",
        recipient=state.email,
        subject=f"Your refund for order {state.order_id[:8]}",
        body=f"We refunded {amount} {state.currency}.",
        idempotency_key=ctx.idempotency_key,
    )


def aftersales_compensated(ctx: Context) -> None:
    """Mark the return cancelled once its undos have run."""
    _state_set(ctx, Return.State.CANCELLED)
