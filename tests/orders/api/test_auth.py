"""Token and session authentication of the API, and the token endpoint."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from idempotency.models import IdempotencyKey
from orders.models import Order
from tests.orders.api.conftest import ORDERS_URL, assert_problem, checkout_body

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"
CSRF_TOKEN = "a" * 32


def test_the_token_endpoint_trades_credentials_for_a_token(alice):
    """The right username and password: 200 with the user's one token."""
    response = APIClient().post(
        TOKEN_URL, {"username": "alice", "password": "x"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=alice).key}


def test_the_same_token_is_returned_every_time(alice):
    """Asking twice gives the same token (one per user)."""
    client = APIClient()
    credentials = {"username": "alice", "password": "x"}

    first = client.post(TOKEN_URL, credentials, format="json").json()
    second = client.post(TOKEN_URL, credentials, format="json").json()

    assert first == second
    assert Token.objects.count() == 1


@pytest.mark.parametrize(
    "credentials",
    [{"username": "alice", "password": "wrong"}, {"username": "alice"}],
    ids=["wrong-password", "no-password"],
)
def test_bad_credentials_are_a_problem(alice, credentials):
    """Wrong or missing credentials: 400 invalid_request, no token."""
    response = APIClient().post(TOKEN_URL, credentials, format="json")

    assert_problem(response, 400, "invalid_request")
    assert Token.objects.count() == 0


def test_the_token_authenticates_api_calls(alice, catalog):
    """A token from the endpoint, sent as "Token <key>", lists the orders."""
    client = APIClient()
    token = client.post(
        TOKEN_URL, {"username": "alice", "password": "x"}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get(ORDERS_URL).status_code == 200


def test_the_token_endpoint_ignores_a_session_without_csrf(alice):
    """A logged-in browser asking for a token is not held to CSRF there."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(
        TOKEN_URL,
        {"username": "alice", "password": "x"},
        content_type="application/json",
    )

    assert response.status_code == 200


@pytest.fixture
def session_client(alice) -> Client:
    """A browser logged in as Alice, whose unsafe requests are CSRF-checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def test_a_session_reads_orders_without_a_csrf_token(session_client, catalog):
    """Safe methods need no CSRF token."""
    assert session_client.get(ORDERS_URL).status_code == 200


def test_a_session_post_without_csrf_token_is_403(session_client, catalog):
    """A forged cross-site POST: 403 problem, no order, and the key is released."""
    response = session_client.post(
        ORDERS_URL,
        checkout_body(),
        content_type="application/json",
        headers={"Idempotency-Key": "from-a-form"},
    )

    problem = assert_problem(response, 403, "permission_denied")
    assert "CSRF" in problem["detail"]
    assert Order.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0


def test_a_session_post_with_its_csrf_token_checks_out(session_client, catalog):
    """With the CSRF cookie and header the session buys like a token does."""
    session_client.cookies["csrftoken"] = CSRF_TOKEN

    response = session_client.post(
        ORDERS_URL,
        checkout_body(),
        content_type="application/json",
        headers={"Idempotency-Key": "from-the-shop", "X-CSRFToken": CSRF_TOKEN},
    )

    assert response.status_code == 201
    assert Order.objects.get().owner.username == "alice"
