"""POST /api/orders/ behind the Idempotency-Key: retries never buy twice."""

from __future__ import annotations

import http.client
import json
import threading
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client

from idempotency.models import IdempotencyKey
from orders.models import Order
from payments.models import Charge
from payments.simulator.models import ProcessorCharge
from shipping.simulator.models import CarrierShipment
from tests.orders.api.conftest import ORDERS_URL, assert_problem, checkout_body

pytestmark = pytest.mark.django_db


def test_ten_sequential_retries_replay_the_first_response(alice_client, post_checkout):
    """The same key and body 10 times: one order, one charge, identical bodies."""
    responses = [post_checkout(alice_client, key="retry-me") for _ in range(10)]

    first, replays = responses[0], responses[1:]
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    for replay in replays:
        assert replay.status_code == 201
        assert replay.content == first.content
        assert replay["Location"] == first["Location"]
        assert replay["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert Charge.objects.count() == 1
    assert ProcessorCharge.objects.count() == 1
    assert CarrierShipment.objects.count() == 1


def test_a_refused_checkout_is_replayed_too(alice_client, post_checkout):
    """An out-of-stock answer is the outcome of the request: replayed, not rerun."""
    body = checkout_body(lines=[{"sku": "MUG-001", "quantity": 6}])
    first = post_checkout(alice_client, body, key="k")

    replay = post_checkout(alice_client, body, key="k")

    assert_problem(replay, 409, "out_of_stock")
    assert replay.content == first.content
    assert replay["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 0


def test_the_same_key_with_another_body_is_422(alice_client, post_checkout):
    """Reusing a key for a different purchase: 422, nothing new is created."""
    post_checkout(alice_client, key="k")
    other = checkout_body(lines=[{"sku": "TEE-001", "quantity": 1}])

    response = post_checkout(alice_client, other, key="k")

    assert_problem(response, 422, "idempotency_key_reused")
    assert Order.objects.count() == 1
    assert Charge.objects.count() == 1


def test_a_checkout_without_a_key_is_400(alice_client, catalog):
    """No Idempotency-Key header: 400 idempotency_key_missing, no order."""
    response = alice_client.post(ORDERS_URL, checkout_body(), format="json")

    assert_problem(response, 400, "idempotency_key_missing")
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "key", ["k" * 256, "caf\u00e9", "tab\there"], ids=["too-long", "non-ascii", "tab"]
)
def test_a_malformed_key_is_400(alice_client, post_checkout, key):
    """A key longer than 255 or with characters outside printable ASCII: 400."""
    response = post_checkout(alice_client, key=key)

    assert_problem(response, 400, "idempotency_key_invalid")
    assert Order.objects.count() == 0


def test_a_key_of_255_characters_is_accepted(alice_client, post_checkout):
    """The longest key allowed works."""
    assert post_checkout(alice_client, key="k" * 255).status_code == 201


def test_another_users_key_makes_their_own_order(
    alice_client, bob_client, bob, post_checkout
):
    """Bob sending Alice's key gets his own order, never her response."""
    alices = post_checkout(alice_client, key="shared-key")

    bobs = post_checkout(bob_client, key="shared-key")

    assert bobs.status_code == 201
    assert "Idempotent-Replayed" not in bobs
    assert bobs.json()["id"] != alices.json()["id"]
    assert Order.objects.get(pk=bobs.json()["id"]).owner == bob
    assert Order.objects.count() == 2
    assert Charge.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.partial_failure("checkout", "same_operation_twice")
def test_twenty_parallel_posts_with_one_key_buy_once(alice, catalog):
    """20 clients send one key at once: one order, one charge, no server error.

    Each loser gets 409 (the first request is still running) or, once it has
    finished, the replay of its 201.
    """
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=alice).key
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    bodies: list[bytes] = []
    lock = threading.Lock()

    def send() -> None:
        client = Client(headers={"Authorization": f"Token {token}"})
        try:
            barrier.wait(timeout=10)
            response = client.post(
                ORDERS_URL,
                checkout_body(),
                content_type="application/json",
                headers={"Idempotency-Key": "one-purchase"},
            )
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 201:
                    bodies.append(response.content)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert len(statuses) == 20
    assert set(statuses) <= {201, 409}
    assert statuses.count(201) >= 1
    assert len(set(bodies)) == 1
    assert Order.objects.count() == 1
    assert Charge.objects.count() == 1
    assert ProcessorCharge.objects.count() == 1
    assert CarrierShipment.objects.count() == 1


def post_with_headers(base_url: str, headers: list[tuple[str, str]], body: dict):
    """POST a checkout over a real socket, sending ``headers`` exactly as listed."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    payload = json.dumps(body).encode()
    try:
        connection.putrequest("POST", ORDERS_URL)
        for name, value in [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            *headers,
        ]:
            connection.putheader(name, value)
        connection.endheaders(payload)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_key_header_sent_twice_is_refused_not_read_as_another_key(
    live_server, alice, catalog
):
    """Issue 12, case 3: the server joins two "K" headers into "K,K"; that is 400
    idempotency_key_invalid, so the retry with one "K" buys once, not twice."""
    from rest_framework.authtoken.models import Token

    auth = ("Authorization", f"Token {Token.objects.create(user=alice).key}")

    def post(*keys: str):
        headers = [auth, *(("Idempotency-Key", key) for key in keys)]
        return post_with_headers(live_server.url, headers, checkout_body())

    twice, once, quoted = post("K", "K"), post("K"), post('"K"')

    assert twice[0] == 400
    assert twice[1]["code"] == "idempotency_key_invalid"
    assert once[0] == quoted[0] == 201
    assert quoted[1]["id"] == once[1]["id"]
    assert Order.objects.count() == 1
    assert Charge.objects.count() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["K"]
