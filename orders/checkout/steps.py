"""The actions, compensations and reconcile functions of the checkout saga.

Each function is small on purpose: call one service with the run's key, record
the external id in the state, and move the order by its event. Every one of them
is safe to run twice: the services are idempotent by operation id or key, and an
order event that already happened is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from config.errors import ApplicationError
from notifications.services import notification_send
from orders.evidence import order_evidence
from orders.exceptions import TransitionConflict
from orders.models import Order, OrderLine
from orders.money import from_minor
from orders.services import order_failure_record, order_transition
from orders.states import transition_for
from payments.exceptions import PaymentDeclined
from payments.services import payment_charge, payment_reconcile_charge, payment_refund
from sagas.context import StepContext
from sagas.definition import Outcome
from shipping.exceptions import InvalidAddress
from shipping.models import Shipment
from shipping.services import shipment_cancel, shipment_create, shipment_reconcile
from warehouse.exceptions import HoldNotFound, OutOfStock
from warehouse.services import stock_confirm, stock_hold, stock_release, stock_ship

ACTOR = "saga:checkout"


def undo_key(ctx: StepContext) -> str:
    """Return the key of a step's compensation: distinct from its action's key.

    A processor treats a key as one request, so a refund must not reuse the key
    that created the charge it refunds.
    """
    return f"{ctx.idempotency_key}:undo"


def order_event(ctx: StepContext, event: str, **answered: bool) -> Order:
    """Move the run's order by ``event`` (a no-op if it already happened).

    The saga knows where its order should be (``pay`` finds it created, and so
    on), so it does not read the order first: the conditional update checks that
    expectation. Only when it was wrong (a retry after the event happened, or a
    cancellation) does it read the order and let the state machine decide.
    ``answered``: what a service just told the step, for the guard to use as
    the service's word instead of asking again (see ``orders.evidence``).
    """
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
    try:
        return order_transition(
            order=expected,
            event=event,
            actor=ACTOR,
            operation_id=ctx.operation_id,
            evidence=order_evidence(order=expected, **answered),
        )
    except TransitionConflict:
        order = Order.objects.get(pk=state.order_id)
        return order_transition(
            order=order,
            event=event,
            actor=ACTOR,
            operation_id=ctx.operation_id,
            evidence=order_evidence(order=order, **answered),
        )


@contextmanager
def failure_recorded(
    ctx: StepContext, *errors: type[ApplicationError]
) -> Iterator[None]:
    """Record a business failure on the order (its code), then let it propagate."""
    try:
        yield
    except errors as error:
        order_failure_record(
            order_id=ctx.state.order_id, code=error.code, message=error.message
        )
        raise


# -- 1. hold-stock: the semantic lock -------------------------------------------


def hold_stock(ctx: StepContext) -> None:
    """Hold every line as a pending reservation, so nobody else can sell it."""
    with failure_recorded(ctx, OutOfStock):
        stock_hold(operation_id=ctx.operation_id, lines=ctx.state.lines)


def release_stock(ctx: StepContext) -> None:
    """Give held (or confirmed) units back to stock."""
    stock_release(operation_id=ctx.operation_id)


# -- 2. charge-card: pay ---------------------------------------------------------


def charge_card(ctx: StepContext) -> None:
    """Capture the order total, then mark the order paid."""
    state = ctx.state
    with failure_recorded(ctx, PaymentDeclined):
        charge = payment_charge(
            operation_id=ctx.operation_id,
            amount_minor=state.amount_minor,
            currency=state.currency,
            token=state.payment_token,
            idempotency_key=ctx.idempotency_key,
        )
    state.charge_id = charge.external_id
    order_event(ctx, "pay")


def reconcile_charge(ctx: StepContext) -> Outcome:
    """Ask the processor whether our charge happened; if so, finish the step."""
    state = ctx.state
    charge = payment_reconcile_charge(
        operation_id=ctx.operation_id,
        idempotency_key=ctx.idempotency_key,
        amount_minor=state.amount_minor,
        currency=state.currency,
    )
    if charge is None:
        return Outcome.NOT_HAPPENED
    state.charge_id = charge.external_id
    order_event(ctx, "pay")
    return Outcome.COMPLETED


def refund_card(ctx: StepContext) -> None:
    """Refund the captured charge in full (the order moves at the very end)."""
    refund = payment_refund(
        operation_id=ctx.operation_id, idempotency_key=undo_key(ctx)
    )
    if refund is not None:
        ctx.state.refund_id = refund.external_id


# -- 3. confirm-reservation: reserve ---------------------------------------------


def confirm_reservation(ctx: StepContext) -> None:
    """Turn the pending holds into confirmed ones, then mark the order reserved."""
    with failure_recorded(ctx, HoldNotFound):
        confirmed = stock_confirm(operation_id=ctx.operation_id)
    # The warehouse's answer: the holds it confirmed just now. A repeat that
    # confirmed nothing leaves the guard to ask.
    covered = {line["sku"] for line in ctx.state.lines} <= set(confirmed)
    answered = {"reservations_confirmed": True} if covered else {}
    order_event(ctx, "reserve", **answered)


# -- 4. create-shipment: ship (the pivot) ----------------------------------------


def create_shipment(ctx: StepContext) -> None:
    """Book the carrier, take the units off the shelf, mark the order shipped."""
    state = ctx.state
    with failure_recorded(ctx, InvalidAddress):
        shipment = shipment_create(
            operation_id=ctx.operation_id,
            address=state.shipping_address,
            idempotency_key=ctx.idempotency_key,
        )
    _shipped(ctx, shipment)


def reconcile_shipment(ctx: StepContext) -> Outcome:
    """Ask the carrier whether our booking happened; if so, finish the step."""
    shipment = shipment_reconcile(
        operation_id=ctx.operation_id,
        idempotency_key=ctx.idempotency_key,
        address=ctx.state.shipping_address,
    )
    if shipment is None:
        return Outcome.NOT_HAPPENED
    _shipped(ctx, shipment)
    return Outcome.COMPLETED


def cancel_shipment(ctx: StepContext) -> None:
    """Cancel the carrier booking."""
    shipment_cancel(operation_id=ctx.operation_id, idempotency_key=undo_key(ctx))


def _shipped(ctx: StepContext, shipment: Shipment) -> None:
    ctx.state.shipment_id = shipment.external_id
    ctx.state.tracking_number = shipment.tracking_number
    stock_ship(operation_id=ctx.operation_id)
    # The carrier's booking, as the shipping service just recorded it.
    order_event(ctx, "ship", shipment_active=shipment.status == Shipment.Status.ACTIVE)


# -- 5. notify: after the pivot, retried, never undone ---------------------------


def _notify(ctx: StepContext, channel: str, recipient: str) -> None:
    state = ctx.state
    notification_send(
        operation_id=ctx.operation_id,
        channel=channel,
        recipient=recipient,
        subject=f"Your order {state.order_id[:8]} has shipped",
        body=f"Tracking number: {state.tracking_number}",
    )


def notify_email(ctx: StepContext) -> None:
    """Tell the customer by email that the order has shipped."""
    _notify(ctx, "email", ctx.state.email)


def notify_sms(ctx: StepContext) -> None:
    """Tell the customer by SMS that the order has shipped."""
    _notify(ctx, "sms", ctx.state.phone)


def notify_push(ctx: StepContext) -> None:
    """Tell the customer's devices that the order has shipped."""
    _notify(ctx, "push", ctx.state.email)
