"""Checkout is throttled per user (CHECKOUT_THROTTLE_RATE): 429 with Retry-After."""

from __future__ import annotations

import pytest

from idempotency.models import IdempotencyKey
from orders.models import Order
from tests.orders.api.conftest import ORDERS_URL, assert_problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("throttle_window_held")]


@pytest.fixture(autouse=True)
def two_per_minute(settings):
    settings.CHECKOUT_THROTTLE_RATE = "2/min"


def test_the_checkout_over_the_rate_is_429_with_retry_after(
    alice_client, post_checkout
):
    """The third checkout within a minute: 429 throttled, Retry-After, no order."""
    post_checkout(alice_client)
    post_checkout(alice_client)

    response = post_checkout(alice_client, key="third")

    assert_problem(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    assert Order.objects.count() == 2
    # "Try later" is not the request's outcome: its key is free for the retry.
    assert not IdempotencyKey.objects.filter(key="third").exists()


def test_the_rate_is_counted_per_user(alice_client, bob_client, post_checkout):
    """Alice using up her checkouts does not slow Bob down."""
    post_checkout(alice_client)
    post_checkout(alice_client)

    assert post_checkout(bob_client).status_code == 201


def test_reading_orders_is_not_throttled_by_checkout(alice_client, post_checkout):
    """The checkout rate applies to POST only."""
    post_checkout(alice_client)
    post_checkout(alice_client)

    for _ in range(3):
        assert alice_client.get(ORDERS_URL).status_code == 200
