"""A choreographed checkout: each service reacts to the previous one's outbox event.

A teaching device only, for ``saga_demo choreography`` and
``docs/13-choreography.md``: the real checkout is orchestrated
(``orders.checkout.saga``). Nothing here runs unless ``choreography_connected``
registers its consumers with the outbox relay, and they act only on orders
whose operation id starts with ``PREFIX``.

    order.created  -> the warehouse holds the stock      -> stock.held
    stock.held     -> payments charges, the order is paid -> order.paid
    order.paid     -> the warehouse confirms: reserved    -> order.reserved
    order.reserved -> shipping books: the order shipped   -> order.shipped

No service knows the whole chain, only the event it waits for and the one it
publishes. Each reuses the real services, and the relay's inbox makes each
reaction happen once. A consumer that keeps failing publishes nothing: the
relay retries its event, then dead-letters it, and the chain simply stops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db.models import Min

from orders.models import Order
from orders.money import to_minor
from orders.services import order_transition
from outbox.handlers import register_handler, unregister_handler
from outbox.models import OutboxMessage
from outbox.relay import outbox_relay
from outbox.services import message_emit
from payments.services import payment_charge
from shipping.services import shipment_create
from warehouse.services import stock_confirm, stock_hold, stock_ship

PREFIX = "choreography-"
# What a consumer did with a message: (consumer, message, error or None).
Observe = Callable[[str, OutboxMessage, BaseException | None], None]


def _order(message: OutboxMessage) -> Order:
    return Order.objects.get(pk=message.payload["order_id"])


def hold_on_order_created(message: OutboxMessage) -> None:
    """Warehouse: hold the new order's lines, then say so."""
    payload = message.payload
    operation_id = payload["operation_id"]
    stock_hold(operation_id=operation_id, lines=payload["lines"])
    message_emit(
        event_type="stock.held",
        aggregate_type="stock",
        aggregate_id=operation_id,
        payload={"operation_id": operation_id, "order_id": payload["order_id"]},
    )


def charge_on_stock_held(message: OutboxMessage) -> None:
    """Payments: charge the order whose stock is held; the order becomes paid."""
    order = _order(message)
    payment_charge(
        operation_id=order.operation_id,
        amount_minor=to_minor(order.total, order.currency),
        currency=order.currency,
        token=order.payment_token,
        idempotency_key=f"{order.operation_id}:charge",
    )
    order_transition(
        order=order, event="pay", actor="payments", operation_id=order.operation_id
    )


def confirm_on_order_paid(message: OutboxMessage) -> None:
    """Warehouse: confirm the paid order's holds; the order becomes reserved."""
    order = _order(message)
    stock_confirm(operation_id=order.operation_id)
    order_transition(
        order=order, event="reserve", actor="warehouse", operation_id=order.operation_id
    )


def ship_on_order_reserved(message: OutboxMessage) -> None:
    """Shipping: book the reserved order; the units leave; the order is shipped."""
    order = _order(message)
    shipment_create(
        operation_id=order.operation_id,
        address=order.shipping_address,
        idempotency_key=f"{order.operation_id}:ship",
    )
    stock_ship(operation_id=order.operation_id)
    order_transition(
        order=order, event="ship", actor="shipping", operation_id=order.operation_id
    )


# (event it waits for, consumer name in the inbox, reaction)
CONSUMERS = (
    ("order.created", "warehouse.hold", hold_on_order_created),
    ("stock.held", "payments.charge", charge_on_stock_held),
    ("order.paid", "warehouse.confirm", confirm_on_order_paid),
    ("order.reserved", "shipping.book", ship_on_order_reserved),
)


@contextmanager
def choreography_connected(observe: Observe) -> Iterator[None]:
    """Let the relay hand the choreographed orders' events to their consumers.

    ``observe`` hears of every reaction, and of every failure, as it happens.
    """

    def consumer(name: str, react: Callable[[OutboxMessage], None]):
        def handle(message: OutboxMessage) -> None:
            if not message.payload.get("operation_id", "").startswith(PREFIX):
                return  # an orchestrated order: not this chain's business
            try:
                react(message)
            except Exception as error:
                observe(name, message, error)
                raise  # the relay retries it, then dead-letters it
            observe(name, message, None)

        return handle

    names = [f"choreography.{name}" for _, name, _ in CONSUMERS]
    for (event_type, _, react), name in zip(CONSUMERS, names, strict=True):
        register_handler(event_type, consumer(name, react), name)
    try:
        yield
    finally:
        for name in names:
            unregister_handler(name)


def chain_relay(start: datetime) -> None:
    """Run the relay at each moment a message is due, until none is pending.

    The relay's clock is moved on to each retry instead of waiting for it, so
    a consumer that keeps failing reaches its dead letter in moments.
    """
    moment = start
    while True:
        outbox_relay(now=moment)
        due = OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING
        ).aggregate(first=Min("available_at"))["first"]
        if due is None:
            return
        moment = max(moment, due)
