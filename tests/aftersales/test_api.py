"""POST and GET /api/orders/{id}/returns/: a customer returns shipped units."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.models import Return
from orders.models import Order
from outbox.models import OutboxMessage
from sagas.models import SagaRun

pytestmark = pytest.mark.django_db(transaction=True)

ONE_TEE = {"lines": [{"sku": "TEE-001", "quantity": 1}], "reason": "Too small"}


def client_of(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def alice(buyer):
    return client_of(buyer)


def url(order: Order) -> str:
    return f"/api/orders/{order.pk}/returns/"


def post(client: APIClient, order: Order, body=ONE_TEE, *, key: str = "r-1"):
    return client.post(url(order), body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_return_that_finished_inline_is_201_with_its_saga(alice, shipped):
    response = post(alice, shipped)

    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["kind"], body["refund_amount"]) == (
        "refunded",
        "return",
        "20.00",
    )
    assert body["lines"] == [{"sku": "TEE-001", "quantity": 1, "unit_price": "20.00"}]
    assert body["saga"]["status"] == "completed"
    assert [step["name"] for step in body["saga"]["steps"]][:3] == [
        "hold-refund",
        "book-return",
        "receive-parcel",
    ]


def test_the_order_shows_what_was_refunded(alice, shipped):
    post(alice, shipped)

    order = alice.get(f"/api/orders/{shipped.pk}/").json()
    assert (order["state"], order["refunded"]) == ("shipped", "20.00")


def test_in_worker_mode_the_return_is_accepted_with_202(alice, shipped, settings):
    settings.CHECKOUT_EXECUTION = "worker"

    response = post(alice, shipped)

    assert response.status_code == 202
    assert response.json()["state"] == "requested"
    assert SagaRun.objects.get(saga="return").status == SagaRun.Status.RUNNING


def test_the_returns_are_listed(alice, shipped):
    post(alice, shipped, key="a")
    post(alice, shipped, {"lines": [{"sku": "MUG-001", "quantity": 1}]}, key="b")

    listed = alice.get(url(shipped)).json()

    assert [ret["lines"][0]["sku"] for ret in listed] == ["TEE-001", "MUG-001"]
    assert all(ret["saga"]["status"] == "completed" for ret in listed)


def test_the_same_key_replays_the_first_answer(alice, shipped):
    first = post(alice, shipped, key="again")
    again = post(alice, shipped, key="again")

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Return.objects.count() == 1


def test_without_a_key_it_is_400(alice, shipped):
    response = alice.post(url(shipped), ONE_TEE, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_an_order_not_shipped_is_409(alice, checkout):
    declined = checkout(token="tok_chargeDeclined").order

    response = post(alice, declined)

    assert (response.status_code, response.json()["code"]) == (409, "order_not_shipped")


def test_past_the_return_window_it_is_409_with_its_own_code(alice, shipped, settings):
    settings.RETURN_WINDOW_DAYS = 30
    shipped_event = next(
        message
        for message in OutboxMessage.objects.all()
        if message.payload.get("event") == "ship"
    )
    long_ago = timezone.now() - timedelta(days=31)
    shipped_event.payload = {**shipped_event.payload, "at": long_ago.isoformat()}
    shipped_event.save(update_fields=["payload"])

    response = post(alice, shipped)

    assert (response.status_code, response.json()["code"]) == (
        409,
        "return_window_closed",
    )


def test_more_units_than_shipped_and_not_returned_is_422(alice, shipped):
    post(alice, shipped, {"lines": [{"sku": "TEE-001", "quantity": 2}]}, key="all")

    response = post(alice, shipped, key="one-more")

    assert (response.status_code, response.json()["code"]) == (
        422,
        "return_exceeds_shipped",
    )
    assert Return.objects.count() == 1


def test_a_sku_the_order_does_not_have_is_422(alice, shipped):
    response = post(alice, shipped, {"lines": [{"sku": "HAT-001", "quantity": 1}]})

    assert (response.status_code, response.json()["code"]) == (422, "invalid_return")


def test_a_malformed_body_is_400(alice, shipped):
    response = post(alice, shipped, {"lines": [{"sku": "TEE-001", "quantity": "x"}]})

    assert response.status_code == 400
    assert not Return.objects.exists()


def test_another_users_order_is_404(shipped, django_user_model):
    bob = client_of(django_user_model.objects.create_user("bob", password="y"))

    assert post(bob, shipped).status_code == 404
    assert bob.get(url(shipped)).status_code == 404
    assert not Return.objects.exists()


def test_both_operations_are_in_the_schema(alice):
    schema = alice.get("/api/schema/?format=json").json()

    operations = schema["paths"]["/api/orders/{id}/returns/"]
    assert operations["post"]["operationId"] == "orders_returns_create"
    assert operations["get"]["operationId"] == "orders_returns_list"
    assert (
        "application/problem+json" in operations["post"]["responses"]["409"]["content"]
    )
