"""Fixtures of the checkout tests: faults on, no sleeping, a checkout starter.

The catalogue with stock and the buyer come from ``tests/orders/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orders.checkout.services import CheckoutResult, checkout_start
from sagas.clock import Clock, use_clock
from sagas.models import SagaRun
from sagas.records import StepRecord

PROVIDER = "notifications.backends.SimulatedProviderBackend"


@pytest.fixture(autouse=True)
def faults_on(settings):
    """The checkout tests break the simulated services on purpose."""
    settings.FAULT_INJECTION = True


@pytest.fixture(autouse=True)
def simulated_provider(settings):
    """SMS and push go to the simulated provider's table: deliveries can be counted."""
    settings.SMS_BACKEND = settings.PUSH_BACKEND = PROVIDER


def step_of(run: SagaRun, name: str) -> StepRecord:
    """Return the journal entry of step ``name`` as the database holds it now."""
    fresh = SagaRun.objects.get(pk=run.pk)
    return next(row for row in fresh.step_rows if row.name == name)


@pytest.fixture(autouse=True)
def no_waiting():
    """Retries back off without sleeping."""
    with use_clock(Clock.without_sleep()) as clock:
        yield clock


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
