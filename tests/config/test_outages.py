"""With the database or the task broker down: 503 with Retry-After, nothing lost."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.outages import RETRY_AFTER_SECONDS
from idempotency.models import IdempotencyKey
from orders.models import Order
from sagas.models import SagaRun
from tests.orders.api.conftest import ORDERS_URL, assert_problem, checkout_body

DEAD_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, connections refused


@pytest.fixture
def broker_down(monkeypatch):
    """django-q2 queues to a Redis that refuses connections."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", DEAD_REDIS)


def assert_outage(response, code: str) -> None:
    """Assert a 503 problem naming the dependency, with Retry-After."""
    assert_problem(response, 503, code)
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/products/", None),
        ("post", ORDERS_URL, checkout_body()),
        ("post", "/api/auth/token/", {"username": "alice", "password": "x"}),
    ],
    ids=["products", "checkout", "token"],
)
def test_with_the_database_down_the_api_answers_503(database_down, method, path, body):
    """Issue 12: a lost database is 503 database_unavailable, not 500."""
    client = APIClient(raise_request_exception=False)

    response = getattr(client, method)(
        path,
        body,
        format="json",
        headers={"Authorization": "Token abc", "Idempotency-Key": "k"},
    )

    assert_outage(response, "database_unavailable")


def test_with_the_database_down_a_page_answers_503(database_down):
    """The storefront shows a page that needs no database, with Retry-After."""
    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert b"Nothing you sent was lost" in response.content


def test_a_plain_crash_is_still_a_500(monkeypatch):
    """Only outages become 503: a bug stays a 500 server_error."""

    def explode():
        raise RuntimeError("a bug")

    monkeypatch.setattr("orders.api.product_list_with_stock", explode)
    response = APIClient(raise_request_exception=False).get("/api/products/")

    assert_problem(response, 500, "server_error")
    assert "Retry-After" not in response


@pytest.fixture
def worker_mode(settings):
    settings.CHECKOUT_EXECUTION = "worker"
    settings.OUTBOX_RELAY_ON_COMMIT = False


@pytest.mark.django_db(transaction=True)
def test_a_worker_checkout_with_the_broker_down_is_503_and_loses_nothing(
    worker_mode, broker_down, monkeypatch, buyer, catalog
):
    """Issue 12, case 5: the order and its run are committed, the key is free;
    once the broker is back the retry with the same key finds them: 202."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=buyer)}")

    def post():
        return client.post(
            ORDERS_URL,
            checkout_body(),
            format="json",
            headers={"Idempotency-Key": "during-the-outage"},
        )

    down = post()
    order_during = list(Order.objects.values_list("pk", flat=True))
    key_kept = IdempotencyKey.objects.exists()
    monkeypatch.undo()  # the broker is back
    back = post()

    assert_outage(down, "broker_unavailable")
    assert not key_kept
    assert back.status_code == 202
    assert [back.json()["id"]] == [str(pk) for pk in order_during]
    assert SagaRun.objects.get().status == SagaRun.Status.RUNNING


@pytest.mark.django_db(transaction=True)
def test_an_inline_checkout_works_with_redis_down(
    broker_down, settings, buyer, catalog
):
    """Issue 12, case 5: cache and broker down, an inline checkout still ships;
    the throttle counts in memory."""
    settings.CHECKOUT_EXECUTION = "inline"
    settings.SAGA_PARALLEL_EXECUTOR = "inline"
    settings.FAULT_INJECTION = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=buyer)}")

    response = client.post(
        ORDERS_URL, checkout_body(), format="json", headers={"Idempotency-Key": "k"}
    )

    assert response.status_code == 201, response.content
    assert Order.objects.get().state == "shipped"
