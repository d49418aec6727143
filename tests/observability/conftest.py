"""Fixtures of the metrics tests: a scraper, toy sagas, a catalogue and a buyer."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import Product
from sagas.clock import Clock, use_clock
from tests.observability.scrapes import Scrape
from tests.sagas.conftest import service, state  # noqa: F401  (the toy systems)
from warehouse.services import stock_set


@pytest.fixture(autouse=True)
def metrics_settings(settings):
    """Counters in this process, sagas inline, no faults."""
    settings.PROMETHEUS_MULTIPROC_DIR = ""
    settings.FAULT_INJECTION = False
    settings.CHECKOUT_EXECUTION = "inline"
    settings.SAGA_PARALLEL_EXECUTOR = "inline"
    settings.OUTBOX_RELAY_ON_COMMIT = False
    return settings


@pytest.fixture(autouse=True)
def no_waiting():
    """Retries back off without sleeping."""
    with use_clock(Clock.without_sleep()) as clock:
        yield clock


@pytest.fixture
def scrape(client) -> Callable[[], Scrape]:
    """Return a function that GETs /metrics and parses it."""

    def get() -> Scrape:
        response = client.get("/metrics")
        assert response.status_code == 200
        return Scrape(response.content.decode())

    return get


ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}


@pytest.fixture
def buyer_client(db, django_user_model) -> APIClient:
    """An API client authenticated by token, with a T-shirt in stock to buy."""
    Product.objects.create(sku="TEE-001", name="T-shirt", price=Decimal("20.00"))
    stock_set(sku="TEE-001", on_hand=10)
    user = django_user_model.objects.create_user("ada", email="ada@example.com")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user)}")
    return client


def checkout_body(quantity: int = 1) -> dict:
    """Return the body of a checkout of ``quantity`` T-shirts."""
    return {
        "lines": [{"sku": "TEE-001", "quantity": quantity}],
        "payment_token": "tok_visa",
        "shipping_address": ADDRESS,
    }
