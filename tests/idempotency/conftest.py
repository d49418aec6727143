"""Fixtures of the Idempotency-Key tests: users, their clients, stored keys."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from idempotency.models import IdempotencyKey

URLCONF = "tests.idempotency.urls"
BODY = b'{"sku": "MUG-1", "quantity": 1}'
OTHER_BODY = b'{"sku": "MUG-1", "quantity": 2}'
KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob")


def token_client(user) -> APIClient:
    """Return an API client authenticated by the user's token."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user)}")
    return client


def session_client(user) -> APIClient:
    """Return an API client authenticated by a login session."""
    client = APIClient(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture(params=["token", "session"])
def alice_client(request, alice) -> APIClient:
    """Alice's client, once with token and once with session authentication."""
    make = token_client if request.param == "token" else session_client
    return make(alice)


@pytest.fixture
def alice_token_client(alice) -> APIClient:
    return token_client(alice)


@pytest.fixture
def bob_client(bob) -> APIClient:
    return token_client(bob)


@pytest.fixture
def send() -> Callable:
    """Return a function that sends a request with an Idempotency-Key."""

    def send(
        client: APIClient,
        path: str = "/api/things/",
        *,
        body: bytes = BODY,
        key: str | None = KEY,
        method: str = "post",
    ):
        headers = {} if key is None else {"Idempotency-Key": key}
        return getattr(client, method)(
            path, data=body, content_type="application/json", headers=headers
        )

    return send


@pytest.fixture
def runs() -> Callable[[], int]:
    """Return a function that counts the test views' runs."""
    return lambda: Group.objects.filter(name__startswith="run-").count()


@pytest.fixture
def key_row(alice) -> Callable[..., IdempotencyKey]:
    """Return a factory of stored keys, by default alice's claim in progress."""

    def make(**fields) -> IdempotencyKey:
        now = timezone.now()
        defaults = {
            "scope": str(alice.pk),
            "method": "POST",
            "path": "/api/things/",
            "key": KEY,
            "fingerprint": hashlib.sha256(BODY).hexdigest(),
            "locked_until": now + timedelta(seconds=30),
            "expires_at": now + timedelta(hours=1),
        }
        return IdempotencyKey.objects.create(**{**defaults, **fields})

    return make
