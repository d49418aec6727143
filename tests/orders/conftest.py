"""Fixtures for the orders tests: users, products, and orders in any state."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from itertools import count

import pytest
from django.contrib.auth import get_user_model

from orders.models import Order, Product
from orders.services import order_create, order_transition
from tests.orders.factories import evidence_for, path_to
from warehouse.services import stock_set

# Units on the shelf in the ``catalog`` fixture.
STOCK = {"TEE-001": 10, "MUG-001": 5}


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("alice")


@pytest.fixture
def other_user(db):
    return get_user_model().objects.create_user("bob")


@pytest.fixture
def products(db) -> dict[str, Product]:
    rows = [
        Product(sku="TEE-001", name="T-shirt", price=Decimal("24.00")),
        Product(sku="MUG-001", name="Mug", price=Decimal("12.50")),
        Product(sku="OLD-001", name="Retired", price=Decimal("5.00"), active=False),
    ]
    return {p.sku: p for p in Product.objects.bulk_create(rows)}


@pytest.fixture
def catalog() -> dict[str, Product]:
    """Two products in stock (see STOCK): a T-shirt at 20.00 and a mug at 12.50."""
    products = {
        "TEE-001": Product.objects.create(
            sku="TEE-001", name="T-shirt", price=Decimal("20.00")
        ),
        "MUG-001": Product.objects.create(
            sku="MUG-001", name="Mug", price=Decimal("12.50")
        ),
    }
    for sku, units in STOCK.items():
        stock_set(sku=sku, on_hand=units)
    return products


@pytest.fixture
def buyer(django_user_model):
    """Alice, who buys things (password "x")."""
    return django_user_model.objects.create_user(
        "alice", email="alice@example.com", password="x"
    )


@pytest.fixture
def make_order(user, products) -> Callable[..., Order]:
    """Return a factory of orders in ``created`` with a fresh operation id each."""
    numbers = count(1)

    def make(*, owner=None, lines=None, operation_id: str | None = None) -> Order:
        return order_create(
            owner=owner or user,
            lines=lines or [{"sku": "TEE-001", "quantity": 2}],
            payment_token="tok_visa",
            shipping_address={"name": "Alice", "city": "Lisbon"},
            operation_id=operation_id or f"op-{next(numbers)}",
        )

    return make


@pytest.fixture
def order(make_order) -> Order:
    return make_order()


@pytest.fixture
def order_in(make_order) -> Callable[[str], Order]:
    """Return a factory of orders brought to a state by legal, guarded events."""

    def make(state: str) -> Order:
        order = make_order()
        for event in path_to(state):
            order_transition(
                order=order,
                event=event,
                actor="test:setup",
                evidence=evidence_for(event, order=order),
            )
        assert order.state == state
        return order

    return make
