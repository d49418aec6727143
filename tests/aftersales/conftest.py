"""Fixtures of the returns and refunds tests: a shipped order, a return starter.

The catalogue, the buyer and the checkout starter are the checkout tests' own;
faults are on and retries never sleep, as there.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aftersales.services import ReturnResult, return_start
from orders.models import Order
from tests.orders.checkout.conftest import (  # noqa: F401 (fixtures)
    checkout,
    faults_on,
    no_waiting,
    simulated_provider,
)
from tests.orders.conftest import buyer, catalog  # noqa: F401 (fixtures)

# The checkout's order: 2 T-shirts at 20.00 and 1 mug at 12.50, 52.50 EUR.
TOTAL_MINOR = 5250
TEE_MINOR, MUG_MINOR = 2000, 1250


@pytest.fixture
def shipped(checkout) -> Order:  # noqa: F811
    """A shipped order of the buyer (after a checkout with no fault)."""
    result = checkout()
    assert result.order.state == "shipped"
    return Order.objects.get(pk=result.order.pk)


@pytest.fixture
def give_back(shipped, buyer) -> Callable[..., ReturnResult]:  # noqa: F811
    """Start a return of the shipped order (one T-shirt unless told otherwise)."""
    counter = iter(range(1, 10_000))

    def start(
        *,
        lines: list[dict] | None = None,
        faults: dict[str, str] | None = None,
        key: str | None = None,
        order: Order | None = None,
    ) -> ReturnResult:
        return return_start(
            order=order or Order.objects.get(pk=shipped.pk),
            user=buyer,
            idempotency_key=key or f"return-{next(counter)}",
            lines=lines or [{"sku": "TEE-001", "quantity": 1}],
            reason="Too small",
            faults=faults,
        )

    return start
