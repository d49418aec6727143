"""Fixtures of the API tests: users with tokens, API clients, a checkout body."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sagas.clock import Clock, use_clock
from tests.orders.checkout.conftest import ADDRESS

ORDERS_URL = "/api/orders/"


@pytest.fixture(autouse=True)
def api_settings(settings):
    """Faults off, notifications sent inline (each test has its own cache)."""
    settings.FAULT_INJECTION = False
    settings.SAGA_PARALLEL_EXECUTOR = "inline"
    settings.CHECKOUT_EXECUTION = "inline"


@pytest.fixture(autouse=True)
def no_waiting():
    """Retries back off without sleeping."""
    with use_clock(Clock.without_sleep()) as clock:
        yield clock


@pytest.fixture
def alice(buyer):
    return buyer


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user(
        "bob", email="bob@example.com", password="y"
    )


def token_client(user) -> APIClient:
    """Return a client that sends ``user``'s API token with every request."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def alice_client(alice) -> APIClient:
    return token_client(alice)


@pytest.fixture
def bob_client(bob) -> APIClient:
    return token_client(bob)


def checkout_body(**changes: Any) -> dict[str, Any]:
    """Return a valid checkout body (2 T-shirts and 1 mug), with ``changes``."""
    body = {
        "lines": [{"sku": "TEE-001", "quantity": 2}, {"sku": "MUG-001", "quantity": 1}],
        "payment_token": "tok_visa",
        "shipping_address": dict(ADDRESS),
    }
    body.update(changes)
    return body


@pytest.fixture
def post_checkout(catalog) -> Callable[..., Any]:
    """Return a function that POSTs a checkout; a fresh key unless one is given."""

    def post(client: APIClient, body: dict | None = None, *, key: str | None = None):
        return client.post(
            ORDERS_URL,
            body if body is not None else checkout_body(),
            format="json",
            headers={"Idempotency-Key": key or f"key-{uuid.uuid4()}"},
        )

    return post


def assert_problem(response, status: int, code: str) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    assert body["type"].endswith(code)
    return body
