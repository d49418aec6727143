"""Write operations on orders: create an order, move it through its state machine."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.evidence import order_evidence
from orders.exceptions import (
    EmptyOrder,
    GuardRejected,
    IllegalTransition,
    InvalidQuantity,
    MixedCurrencies,
    TransitionConflict,
    UnknownProduct,
)
from orders.guards import OrderEvidence
from orders.machine import OrderStateModel
from orders.models import Order, OrderLine, OrderTransition, Product
from orders.states import CREATE_EVENT, INITIAL_STATE, producing_event, transition_for
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
            return order_insert(
                owner=owner,
                lines=lines,
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


def order_insert(
    *,
    owner: Any,
    lines: Iterable[Mapping[str, Any]],
    payment_token: str,
    shipping_address: Mapping[str, Any],
    operation_id: str,
    fault_plan: Mapping[str, str] | None = None,
) -> Order:
    """Write a new order, its lines, its first history row and its outbox message.

    Call it inside a transaction, so that what else must exist with the order
    (a checkout's saga run) commits with it. An order that already has this
    ``operation_id`` raises ``IntegrityError``; ``order_create`` turns that into
    the existing order.
    """
    quantities = _merged_quantities(lines)
    products = _products_for(quantities)
    currencies = {product.currency for product in products.values()}
    if len(currencies) > 1:
        raise MixedCurrencies(currencies=sorted(currencies))
    total = sum(
        (products[sku].price * quantity for sku, quantity in quantities.items()),
        Decimal("0.00"),
    )
    order = Order.objects.create(
        owner=owner,
        total=total,
        currency=currencies.pop(),
        operation_id=operation_id,
        payment_token=payment_token,
        shipping_address=dict(shipping_address),
        fault_plan=dict(fault_plan or {}),
    )
    order.line_rows = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=sku,
            name=products[sku].name,
            quantity=quantity,
            unit_price=products[sku].price,
        )
        for sku, quantity in quantities.items()
    )
    OrderTransition.objects.create(
        order=order,
        from_state="",
        to_state=INITIAL_STATE,
        event=CREATE_EVENT,
        actor=f"user:{owner.get_username()}",
        operation_id=operation_id,
    )
    message_emit(
        event_type=f"order.{INITIAL_STATE}",
        aggregate_type="order",
        aggregate_id=str(order.id),
        payload={
            "order_id": str(order.id),
            "operation_id": operation_id,
            "owner_id": owner.pk,
            "total": str(total),
            "currency": order.currency,
            "lines": [{"sku": s, "quantity": q} for s, q in quantities.items()],
        },
    )
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
    its history row and outbox message; if another writer moved the order first,
    ``TransitionConflict`` is raised and nothing is written. ``evidence`` is
    gathered from the other services when not given.
    """
    from_state = str(order.state)
    if event == producing_event(from_state):
        return order
    machine = OrderStateModel(state=from_state, evidence=evidence)
    allowed = machine.allowed_events()
    if event not in allowed:
        raise IllegalTransition(
            order_id=order.id, state=from_state, event=event, allowed=allowed
        )
    if machine.evidence is None:
        machine.evidence = order_evidence(order=order)
    if not machine.fire(event):
        raise GuardRejected(
            order_id=order.id,
            state=from_state,
            event=event,
            guard=transition_for(event).guard,
        )
    to_state = machine.state
    now = timezone.now()
    with transaction.atomic():
        updated = Order.objects.filter(pk=order.pk, state=from_state).update(
            state=to_state, updated_at=now
        )
        if updated == 0:
            raise TransitionConflict(
                order_id=order.id, expected_state=from_state, event=event
            )
        OrderTransition.objects.create(
            order=order,
            from_state=from_state,
            to_state=to_state,
            event=event,
            actor=actor,
            operation_id=operation_id,
        )
        message_emit(
            event_type=f"order.{to_state}",
            aggregate_type="order",
            aggregate_id=str(order.id),
            payload={
                "order_id": str(order.id),
                "from_state": from_state,
                "to_state": to_state,
                "event": event,
                "operation_id": operation_id,
                "actor": actor,
            },
        )
    order.set_persisted_state(to_state)
    order.updated_at = now
    return order


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


def _products_for(quantities: Mapping[str, int]) -> dict[str, Product]:
    products = {
        product.sku: product
        for product in Product.objects.filter(sku__in=list(quantities), active=True)
    }
    unknown = sorted(set(quantities) - set(products))
    if unknown:
        raise UnknownProduct(f"Not for sale: {', '.join(unknown)}.", skus=unknown)
    return products


def order_failure_record(*, order_id: Any, code: str, message: str) -> None:
    """Record why an order's checkout failed (its state moves by events only)."""
    Order.objects.filter(pk=order_id).update(
        failure_code=code, failure_message=message[:2000], updated_at=timezone.now()
    )
