"""GET /api/orders/ and /api/orders/{id}/: a user sees their own orders only."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from tests.orders.api.conftest import ORDERS_URL, assert_problem, checkout_body

pytestmark = pytest.mark.django_db


def test_detail_shows_the_order_with_saga_steps_and_history(
    alice_client, post_checkout
):
    """The detail has every documented field, the saga's steps and transitions."""
    created = post_checkout(alice_client)

    response = alice_client.get(created["Location"])

    assert response.status_code == 200
    body = response.json()
    assert body == created.json()
    assert set(body) == {
        "id",
        "state",
        "lines",
        "total",
        "currency",
        "refunded",
        "created_at",
        "failure",
        "saga",
        "transitions",
    }
    assert body["refunded"] == "0.00"
    charge = next(s for s in body["saga"]["steps"] if s["name"] == "charge-card")
    assert charge["status"] == "completed"
    assert charge["attempts"] == 1
    assert charge["last_error"] == ""
    assert charge["started_at"] and charge["finished_at"]
    assert body["transitions"][1] == {
        "from_state": "created",
        "to_state": "paid",
        "event": "pay",
        "actor": "saga:checkout",
        "created_at": body["transitions"][1]["created_at"],
    }


def test_detail_of_a_failed_checkout_names_the_failure(alice_client, post_checkout):
    """A cancelled order carries its failure code and message."""
    body = checkout_body(payment_token="tok_chargeDeclined")
    order_id = post_checkout(alice_client, body).json()["order_id"]

    response = alice_client.get(f"{ORDERS_URL}{order_id}/")

    assert response.json()["state"] == "cancelled"
    assert response.json()["failure"]["code"] == "payment_declined"
    assert response.json()["failure"]["message"]


def test_another_users_order_is_not_found(alice_client, bob_client, post_checkout):
    """Bob asking for Alice's order gets 404, as if it did not exist."""
    location = post_checkout(alice_client)["Location"]

    assert_problem(bob_client.get(location), 404, "order_not_found")


@pytest.mark.parametrize("order_id", ["not-a-uuid", "123", str(uuid.uuid4())])
def test_a_malformed_or_unknown_id_is_not_found(alice_client, order_id):
    """Ids that are not UUIDs, or no order's, are 404 order_not_found."""
    assert_problem(alice_client.get(f"{ORDERS_URL}{order_id}/"), 404, "order_not_found")


def test_list_holds_only_the_callers_orders_newest_first(
    alice_client, bob_client, post_checkout
):
    """Alice lists her two orders, newest first; Bob's is not among them."""
    first = post_checkout(alice_client).json()["id"]
    second = post_checkout(alice_client).json()["id"]
    post_checkout(bob_client)

    response = alice_client.get(ORDERS_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [order["id"] for order in body["results"]] == [second, first]
    assert all(order["saga"]["status"] == "completed" for order in body["results"])


def test_list_is_paginated_by_limit_and_offset(alice_client, post_checkout):
    """limit and offset page through the orders."""
    ids = [post_checkout(alice_client).json()["id"] for _ in range(3)]

    response = alice_client.get(ORDERS_URL, {"limit": 1, "offset": 1})

    body = response.json()
    assert body["count"] == 3
    assert [order["id"] for order in body["results"]] == [ids[1]]
    assert body["next"] and body["previous"]


@pytest.mark.parametrize("path", [ORDERS_URL, f"{ORDERS_URL}{uuid.uuid4()}/"])
def test_reading_orders_needs_credentials(path):
    """Anonymous: 401 not_authenticated."""
    assert_problem(APIClient().get(path), 401, "not_authenticated")
