"""Fixtures of the checkout tests: a catalogue with stock, a buyer, faults on."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from orders.checkout.services import CheckoutResult, checkout_start
from orders.models import Product
from sagas.clock import Clock, use_clock
from warehouse.services import stock_set

STOCK = {"TEE-001": 10, "MUG-001": 5}


@pytest.fixture(autouse=True)
def faults_on(settings):
    """The checkout tests break the simulated services on purpose."""
    settings.FAULT_INJECTION = True


@pytest.fixture(autouse=True)
def no_waiting():
    """Retries back off without sleeping."""
    with use_clock(Clock.without_sleep()) as clock:
        yield clock


@pytest.fixture
def catalog() -> dict[str, Product]:
    """Two products in stock."""
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
    return django_user_model.objects.create_user(
        "alice", email="alice@example.com", password="x"
    )


ADDRESS = {
    "name": "Alice Liddell",
    "line1": "1 Rabbit Hole",
    "city": "Oxford",
    "postal_code": "OX1 1AA",
    "country": "GB",
    "phone": "+441865000000",
}


@pytest.fixture
def checkout(catalog, buyer) -> Callable[..., CheckoutResult]:
    """Start a checkout of 2 T-shirts and 1 mug (52.50 EUR) for the buyer."""
    counter = iter(range(1, 10_000))

    def start(
        *,
        faults: dict[str, str] | None = None,
        token: str = "tok_visa",
        key: str | None = None,
        lines: list[dict] | None = None,
        user=None,
    ) -> CheckoutResult:
        return checkout_start(
            user=user or buyer,
            idempotency_key=key or f"key-{next(counter)}",
            lines=lines
            or [{"sku": "TEE-001", "quantity": 2}, {"sku": "MUG-001", "quantity": 1}],
            payment_token=token,
            shipping_address=ADDRESS,
            faults=faults,
        )

    return start
