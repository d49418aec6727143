"""The actions, records, compensations and reconcile functions of the checkout saga.

Each function is small on purpose. An *action* makes one call to another
service with the run's key and notes the answer in the state; a *record*
writes what that answer means here (our ledger row, the order's move) in the
transaction that records the step; a *local* step does both at once, for a
service whose tables are in this database. Every one of them is safe to run
twice: the services are idempotent by operation id or key, and an order event
that already happened is a no-op.
"""

from __future__ import annotations

from notifications.services import notification_send
from orders.checkout.notices import notice_recipients, shipped_notice
from orders.checkout.state import CheckoutState
from orders.evidence import order_evidence
from orders.models import Order, OrderLine
from orders.money import from_minor
from orders.moves import OrderMoves
from orders.states import transition_for
from payments.services import (
    payment_capture,
    payment_charge_lookup,
    payment_charge_record,
    payment_refund,
)
from sagas.api import Outcome, StepContext
from shipping.models import Shipment
from shipping.services import (
    shipment_book,
    shipment_cancel,
    shipment_lookup,
    shipment_record,
)
from warehouse.services import stock_confirm, stock_hold, stock_release, stock_ship

ACTOR = "saga:checkout"
Context = StepContext[CheckoutState]


def order_event(ctx: Context, event: str, **answered: bool | int) -> None:
    """Move the run's order by ``event``, written with the step's record.

    The moves of one commit go out together (``OrderMoves``: one UPDATE, one
    INSERT of events). The saga knows where its order should be (``pay`` finds
    it created, and so on), so it does not read the order first: the
    conditional update checks that expectation, and only when it was wrong (a
    retry after the event happened, a cancellation) is the order read and the
    state machine asked again. ``answered``: what a service just told the step,
    for the guard to use as the service's word instead of asking again.
    """
    moves = ctx.batch("order-moves", lambda: _moves_for(ctx, event))
    moves.add(
        event,
        actor=ACTOR,
        operation_id=ctx.operation_id,
        evidence=order_evidence(order=moves.order, **answered),
    )


def _moves_for(ctx: Context, event: str) -> OrderMoves:
    state = ctx.state
    expected = Order(
        pk=state.order_id,
        state=transition_for(event).sources[0],
        total=from_minor(state.amount_minor, state.currency),
        currency=state.currency,
        operation_id=ctx.operation_id,
    )
    # Lines never change after creation: the saga's copy spares the guard a read.
    expected.line_rows = [
        OrderLine(sku=line["sku"], quantity=line["quantity"]) for line in state.lines
    ]
    return OrderMoves(order=expected, settle_conflicts=True)


# -- 1. hold-stock (local): the semantic lock --------------------------------------


def hold_stock(ctx: Context) -> None:
    """Hold every line as a pending reservation, so nobody else can sell it."""
    stock_hold(operation_id=ctx.operation_id, lines=ctx.state.lines)


def release_stock(ctx: Context) -> None:
    """Give held (or confirmed) units back to stock."""
    stock_release(operation_id=ctx.operation_id)


# -- 2. charge-card: pay -------------------------------------------------------------


def charge_card(ctx: Context) -> None:
    """Ask the processor to capture the order total."""
    state = ctx.state
    charge = payment_capture(
        operation_id=ctx.operation_id,
        amount_minor=state.amount_minor,
        currency=state.currency,
        token=state.payment_token,
        idempotency_key=ctx.idempotency_key,
    )
    state.charge_id = charge.id


def charge_recorded(ctx: Context) -> None:
    """Record the captured charge in our ledger, and mark the order paid."""
    state = ctx.state
    payment_charge_record(
        operation_id=ctx.operation_id,
        idempotency_key=ctx.idempotency_key,
        external_id=state.charge_id,
        amount_minor=state.amount_minor,
        currency=state.currency,
    )
    # The charge recorded just now, in this transaction: nothing refunded yet.
    order_event(ctx, "pay", captured_minor=state.amount_minor, refunded_minor=0)


def reconcile_charge(ctx: Context) -> Outcome:
    """Ask the processor whether our charge happened (its record then follows)."""
    state = ctx.state
    charge = payment_charge_lookup(
        idempotency_key=ctx.idempotency_key,
        amount_minor=state.amount_minor,
        currency=state.currency,
    )
    if charge is None:
        return Outcome.NOT_HAPPENED
    state.charge_id = charge.id
    return Outcome.COMPLETED


def refund_card(ctx: Context) -> None:
    """Refund the captured charge in full (the order moves at the very end)."""
    refund = payment_refund(operation_id=ctx.operation_id, idempotency_key=ctx.undo_key)
    if refund is not None:
        ctx.state.refund_id = refund.external_id


# -- 3. confirm-reservation (local): reserve -------------------------------------------


def confirm_reservation(ctx: Context) -> None:
    """Turn the pending holds into confirmed ones, and mark the order reserved."""
    confirmed = stock_confirm(operation_id=ctx.operation_id)
    # The warehouse's answer: the holds it confirmed just now. A repeat that
    # confirmed nothing leaves the guard to ask.
    covered = {line["sku"] for line in ctx.state.lines} <= set(confirmed)
    answered = {"reservations_confirmed": True} if covered else {}
    order_event(ctx, "reserve", **answered)


# -- 4. create-shipment: ship (the pivot) ----------------------------------------------


def create_shipment(ctx: Context) -> None:
    """Ask the carrier to book the shipment."""
    state = ctx.state
    booking = shipment_book(
        operation_id=ctx.operation_id,
        address=state.shipping_address,
        idempotency_key=ctx.idempotency_key,
    )
    state.shipment_id, state.tracking_number = booking.id, booking.tracking_number


def shipment_recorded(ctx: Context) -> None:
    """Record the booking, take the units off the shelf, mark the order shipped."""
    state = ctx.state
    shipment = shipment_record(
        operation_id=ctx.operation_id,
        address=state.shipping_address,
        external_id=state.shipment_id,
        tracking_number=state.tracking_number,
    )
    stock_ship(operation_id=ctx.operation_id)
    # The carrier's booking, as the shipping service just recorded it.
    order_event(ctx, "ship", shipment_active=shipment.status == Shipment.Status.ACTIVE)


def reconcile_shipment(ctx: Context) -> Outcome:
    """Ask the carrier whether our booking happened (its record then follows)."""
    booking = shipment_lookup(idempotency_key=ctx.idempotency_key)
    if booking is None:
        return Outcome.NOT_HAPPENED
    if booking.cancelled:
        return Outcome.UNKNOWN  # booked, then cancelled at the carrier: ask a person
    ctx.state.shipment_id = booking.id
    ctx.state.tracking_number = booking.tracking_number
    return Outcome.COMPLETED


def cancel_shipment(ctx: Context) -> None:
    """Cancel the carrier booking."""
    shipment_cancel(operation_id=ctx.operation_id, idempotency_key=ctx.undo_key)


# -- 5. notify: after the pivot, retried, never undone ---------------------------------


def _notify(ctx: Context, channel: str) -> None:
    state = ctx.state
    subject, body = shipped_notice(
        order_id=state.order_id, tracking_number=state.tracking_number
    )
    notification_send(
        operation_id=ctx.operation_id,
        channel=channel,
        recipient=notice_recipients(email=state.email, phone=state.phone)[channel],
        subject=subject,
        body=body,
        idempotency_key=ctx.idempotency_key,
    )


def notify_email(ctx: Context) -> None:
    """Tell the customer by email that the order has shipped."""
    _notify(ctx, "email")


def notify_sms(ctx: Context) -> None:
    """Tell the customer by SMS that the order has shipped."""
    _notify(ctx, "sms")


def notify_push(ctx: Context) -> None:
    """Tell the customer's devices that the order has shipped."""
    _notify(ctx, "push")
