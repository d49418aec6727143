"""Write operations on orders: create an order, move it through its state machine."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from orders.exceptions import (
    EmptyOrder,
    InvalidQuantity,
    MixedCurrencies,
    UnknownProduct,
)
from orders.guards import OrderEvidence
from orders.history import AGGREGATE, Transition, transition_payload
from orders.models import Order, OrderLine, Product
from orders.moves import OrderMoves
from orders.states import CREATE_EVENT, INITIAL_STATE
from outbox.services import message_emit

# Fixed namespace for operation ids: the same user and key always give the same id.
OPERATION_NAMESPACE = uuid.UUID("6f1c2a8e-3d4b-5c6d-9e7f-0a1b2c3d4e5f")


def operation_id_for(*, user_id: object, idempotency_key: str) -> str:
    """Return the stable operation id of a user's request with this key."""
    return uuid.uuid5(OPERATION_NAMESPACE, f"{user_id}:{idempotency_key}").hex


def order_create(
    *,
    owner: Any,
    lines: Iterable[Mapping[str, Any]],
    payment_token: str,
    shipping_address: Mapping[str, Any],
    operation_id: str,
    fault_plan: Mapping[str, str] | None = None,
) -> Order:
    """Create an order in ``created``, priced from the catalogue, with its history.

    Lines with the same SKU are merged. An order that already has this
    ``operation_id`` is returned unchanged: a repeated request never creates a
    second order, even if the Idempotency-Key store failed.
    """
    try:
        with transaction.atomic():
            order_id = uuid.uuid4()
            priced = order_lines_insert(order_id=order_id, lines=lines)
            return order_insert(
                order_id=order_id,
                owner=owner,
                lines=priced,
                payment_token=payment_token,
                shipping_address=shipping_address,
                operation_id=operation_id,
                fault_plan=fault_plan,
            )
    except IntegrityError:
        # The same operation was created before (a repeated request) or just now
        # by a concurrent twin: the unique operation id says so in one statement.
        existing = Order.objects.filter(operation_id=operation_id).first()
        if existing is None:
            raise
        return existing


def order_lines_insert(
    *, order_id: uuid.UUID, lines: Iterable[Mapping[str, Any]]
) -> list[OrderLine]:
    """Write the lines of order ``order_id``, priced from the catalogue as they go in.

    One ``INSERT ... SELECT`` takes each line's name, price and currency from
    its product row while it writes the line: the catalogue read and the insert
    in one statement. Call it inside the transaction that then inserts the
    order itself (``order_insert``): the lines' foreign key is checked when the
    transaction commits. Raise ``UnknownProduct`` for a SKU not for sale and
    ``MixedCurrencies`` when the products' currencies differ.
    """
    quantities = _merged_quantities(lines)
    written = _lines_priced_insert(order_id, quantities)
    unknown = sorted(set(quantities) - {line.sku for line in written})
    if unknown:
        raise UnknownProduct(f"Not for sale: {', '.join(unknown)}.", skus=unknown)
    currencies = {line.currency for line in written}
    if len(currencies) > 1:
        raise MixedCurrencies(currencies=sorted(currencies))
    return sorted(written, key=lambda line: list(quantities).index(line.sku))


def order_insert(
    *,
    order_id: uuid.UUID,
    owner: Any,
    lines: list[OrderLine],
    payment_token: str,
    shipping_address: Mapping[str, Any],
    operation_id: str,
    fault_plan: Mapping[str, str] | None = None,
) -> Order:
    """Write order ``order_id`` for the ``lines`` just written, and its first event.

    Call it inside a transaction, after ``order_lines_insert``, so that what
    else must exist with the order (a checkout's saga run) commits with it. An
    order that already has this ``operation_id`` raises ``IntegrityError``;
    ``order_create`` turns that into the existing order.
    """
    total = sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))
    order = Order.objects.create(
        id=order_id,
        owner=owner,
        total=total,
        currency=lines[0].currency,
        operation_id=operation_id,
        payment_token=payment_token,
        shipping_address=dict(shipping_address),
        fault_plan=dict(fault_plan or {}),
    )
    for line in lines:
        line.order = order
    order.line_rows = lines
    created = Transition(
        order_id=str(order.pk),
        from_state="",
        to_state=INITIAL_STATE,
        event=CREATE_EVENT,
        actor=f"user:{owner.get_username()}",
        operation_id=operation_id,
        created_at=order.created_at,
    )
    message_emit(
        event_type=f"order.{INITIAL_STATE}",
        aggregate_type=AGGREGATE,
        aggregate_id=str(order.id),
        payload=transition_payload(
            created,
            owner_id=owner.pk,
            total=str(total),
            currency=order.currency,
            lines=[{"sku": line.sku, "quantity": line.quantity} for line in lines],
        ),
    )
    order.transition_rows = [created]
    return order


def order_transition(
    *,
    order: Order,
    event: str,
    actor: str,
    operation_id: str = "",
    evidence: OrderEvidence | None = None,
) -> Order:
    """Move ``order`` by ``event`` if the table allows it and its guard holds.

    Repeating the event that produced the current state is a no-op success. The
    move is one conditional UPDATE on the state we read, committed together with
    its event (the order's history row and outbox message at once); if another
    writer moved the order first, ``TransitionConflict`` is raised and nothing
    is written. ``evidence`` is gathered from the other services when not given.
    """
    moves = OrderMoves(order=order)
    moves.add(event, actor=actor, operation_id=operation_id, evidence=evidence)
    moves.flush(savepoint=True)
    return moves.order


def _merged_quantities(lines: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    quantities: dict[str, int] = {}
    for line in lines:
        quantity = line.get("quantity")
        # bool is an int subclass; True is not a quantity.
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise InvalidQuantity(sku=line.get("sku"), quantity=quantity)
        sku = str(line.get("sku", ""))
        quantities[sku] = quantities.get(sku, 0) + quantity
    if not quantities:
        raise EmptyOrder()
    return quantities


def _lines_priced_insert(
    order_id: uuid.UUID, quantities: Mapping[str, int]
) -> list[OrderLine]:
    """Insert one line per SKU from its active product row; return what went in.

    Hand-written because the ORM has no INSERT ... SELECT. The wanted SKUs and
    quantities come in as a VALUES list; a SKU without an active product
    matches no row, so it simply inserts no line.
    """
    quote = connection.ops.quote_name
    line, product = OrderLine._meta, Product._meta
    lc = {f.name: quote(f.column) for f in line.concrete_fields}
    pc = {f.name: quote(f.column) for f in product.concrete_fields}
    values = ", ".join(["(%s, %s)"] * len(quantities))
    sql = (
        f"INSERT INTO {quote(line.db_table)}"
        f" ({lc['order']}, {lc['sku']}, {lc['name']}, {lc['quantity']},"
        f" {lc['unit_price']}, {lc['currency']})"
        f" SELECT %s, p.{pc['sku']}, p.{pc['name']}, w.column2, p.{pc['price']},"
        f" p.{pc['currency']}"
        f" FROM {quote(product.db_table)} p, (VALUES {values}) w"
        f" WHERE p.{pc['sku']} = w.column1 AND p.{pc['active']}"
        f" RETURNING {lc['id']}, {lc['sku']}, {lc['name']}, {lc['quantity']},"
        f" {lc['unit_price']}, {lc['currency']}"
    )
    params: list[Any] = [Order._meta.pk.get_db_prep_value(order_id, connection)]
    for sku, quantity in quantities.items():
        params += [sku, quantity]
    price = OrderLine._meta.get_field("unit_price")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        OrderLine(
            id=pk,
            order_id=order_id,
            sku=sku,
            name=name,
            quantity=quantity,
            unit_price=price.to_python(unit_price).quantize(Decimal("0.01")),
            currency=currency,
        )
        for pk, sku, name, quantity, unit_price, currency in rows
    ]


def order_failure_record(*, order_id: Any, code: str, message: str) -> None:
    """Record why an order's checkout failed (its state moves by events only)."""
    Order.objects.filter(pk=order_id).update(
        failure_code=code, failure_message=message[:2000], updated_at=timezone.now()
    )
