"""order_create() and operation_id_for(): new orders priced from the catalogue."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.exceptions import (
    EmptyOrder,
    InvalidQuantity,
    MixedCurrencies,
    UnknownProduct,
)
from orders.history import order_history
from orders.models import Order, OrderLine, Product
from orders.services import operation_id_for, order_create
from orders.states import State
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def row_counts() -> tuple[int, int, int, int]:
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        OutboxMessage.objects.filter(aggregate_type="order").count(),
        OutboxMessage.objects.count(),
    )


def test_order_create_prices_lines_from_the_catalogue(make_order, user):
    """The order is created, its total and line prices come from Product."""
    order = make_order(
        lines=[{"sku": "TEE-001", "quantity": 2}, {"sku": "MUG-001", "quantity": 1}],
        operation_id="op-happy",
    )

    order = Order.objects.get(pk=order.pk)
    assert (order.state, order.total, order.currency) == (
        State.CREATED,
        Decimal("60.50"),
        "EUR",
    )
    assert (order.owner, order.operation_id, order.payment_token) == (
        user,
        "op-happy",
        "tok_visa",
    )
    assert list(order.lines.values_list("sku", "name", "quantity", "unit_price")) == [
        ("TEE-001", "T-shirt", 2, Decimal("24.00")),
        ("MUG-001", "Mug", 1, Decimal("12.50")),
    ]


def test_order_create_records_the_creation_in_history_and_outbox(make_order):
    """A "create" history row into created and an order.created outbox message."""
    order = make_order(operation_id="op-history")

    (row,) = order_history(order=order)
    assert (row.from_state, row.to_state, row.event, row.actor, row.operation_id) == (
        "",
        "created",
        "create",
        "user:alice",
        "op-history",
    )
    message = OutboxMessage.objects.get(aggregate_id=str(order.id))
    assert (message.event_type, message.aggregate_type) == ("order.created", "order")
    assert message.payload["lines"] == [{"sku": "TEE-001", "quantity": 2}]
    assert message.payload["total"] == "48.00"


def test_order_create_merges_lines_of_the_same_sku(make_order):
    """Two lines of one SKU become one line with the summed quantity."""
    order = make_order(
        lines=[{"sku": "MUG-001", "quantity": 1}, {"sku": "MUG-001", "quantity": 2}]
    )

    assert list(order.lines.values_list("sku", "quantity")) == [("MUG-001", 3)]
    assert order.total == Decimal("37.50")


def test_same_operation_id_returns_the_existing_order_unchanged(make_order):
    """A repeated request (same operation id) gets the first order, nothing new."""
    first = make_order(operation_id="op-dup")
    before = row_counts()

    again = make_order(lines=[{"sku": "MUG-001", "quantity": 5}], operation_id="op-dup")

    assert again.pk == first.pk
    assert again.total == Decimal("48.00")
    assert row_counts() == before


@pytest.mark.parametrize("sku", ["NOPE-404", "OLD-001"], ids=["missing", "inactive"])
def test_unknown_or_inactive_sku_is_refused(make_order, sku):
    """A SKU that is not for sale raises unknown_product and creates nothing."""
    before = row_counts()

    with pytest.raises(UnknownProduct) as caught:
        make_order(
            lines=[{"sku": "TEE-001", "quantity": 1}, {"sku": sku, "quantity": 1}]
        )

    assert caught.value.code == "unknown_product"
    assert caught.value.extra == {"skus": [sku]}
    assert row_counts() == before


@pytest.mark.parametrize("quantity", [0, -1, "2", 1.5, True, None])
def test_quantity_must_be_a_positive_whole_number(make_order, quantity):
    """Zero, negatives, strings, floats and booleans are invalid_quantity."""
    before = row_counts()

    with pytest.raises(InvalidQuantity) as caught:
        make_order(lines=[{"sku": "TEE-001", "quantity": quantity}])

    assert caught.value.code == "invalid_quantity"
    assert row_counts() == before


def test_order_without_lines_is_refused(user):
    """An empty line list is empty_order."""
    with pytest.raises(EmptyOrder) as caught:
        order_create(
            owner=user,
            lines=[],
            payment_token="tok_visa",
            shipping_address={},
            operation_id="op-empty",
        )

    assert caught.value.code == "empty_order"
    assert not Order.objects.exists()


def test_products_in_different_currencies_are_refused(make_order, products):
    """One order has one currency."""
    Product.objects.create(sku="USD-001", name="Import", price="9.99", currency="USD")

    with pytest.raises(MixedCurrencies):
        make_order(
            lines=[{"sku": "TEE-001", "quantity": 1}, {"sku": "USD-001", "quantity": 1}]
        )

    assert not Order.objects.exists()


def test_operation_id_is_stable_per_user_and_key():
    """The same user and key give the same id; another user or key another one."""
    first = operation_id_for(user_id=1, idempotency_key="k-1")

    assert first == operation_id_for(user_id=1, idempotency_key="k-1")
    assert first != operation_id_for(user_id=2, idempotency_key="k-1")
    assert first != operation_id_for(user_id=1, idempotency_key="k-2")
    assert len(first) == 32
    assert set(first) <= set("0123456789abcdef")
