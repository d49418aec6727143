"""POST /api/orders/: status codes, body, Location, and the refusals of checkout."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from config.api_fields import NOT_AN_INTEGER
from faults.models import FaultPlan
from orders.models import Order
from payments.models import Charge
from sagas.models import SagaRun
from tests.orders.api.conftest import assert_problem, checkout_body
from warehouse.models import StockItem

pytestmark = pytest.mark.django_db


def test_finished_checkout_answers_201_with_the_shipped_order(
    alice_client, post_checkout
):
    """The saga ran to its end in the request: 201, the order, and its Location."""
    response = post_checkout(alice_client)

    assert response.status_code == 201
    order = Order.objects.get()
    assert response["Location"] == f"/api/orders/{order.pk}/"
    body = response.json()
    assert body["id"] == str(order.pk)
    assert body["state"] == "shipped"
    assert body["total"] == "52.50"
    assert body["currency"] == "EUR"
    assert body["lines"] == [
        {"sku": "TEE-001", "name": "T-shirt", "quantity": 2, "unit_price": "20.00"},
        {"sku": "MUG-001", "name": "Mug", "quantity": 1, "unit_price": "12.50"},
    ]
    assert body["failure"] is None
    assert body["saga"]["status"] == "completed"
    assert [step["name"] for step in body["saga"]["steps"]][:4] == [
        "hold-stock",
        "charge-card",
        "confirm-reservation",
        "create-shipment",
    ]
    assert [t["to_state"] for t in body["transitions"]] == [
        "created",
        "paid",
        "reserved",
        "shipped",
    ]


def test_checkout_run_by_a_worker_answers_202_with_location(
    alice_client, post_checkout, settings
):
    """With CHECKOUT_EXECUTION "worker" the saga is queued: 202, order created."""
    settings.CHECKOUT_EXECUTION = "worker"

    response = post_checkout(alice_client)

    assert response.status_code == 202
    order = Order.objects.get()
    assert response["Location"] == f"/api/orders/{order.pk}/"
    assert response.json()["state"] == "created"
    assert response.json()["saga"]["status"] == "running"
    assert SagaRun.objects.get().status == SagaRun.Status.RUNNING


def test_checkout_stopped_for_review_answers_202(alice_client, post_checkout, settings):
    """A run waiting for a person has not finished: 202, the order stays reserved."""
    settings.FAULT_INJECTION = True
    body = checkout_body(
        faults={"shipping.create": "error", "payments.refund": "error"}
    )

    response = post_checkout(alice_client, body)

    assert response.status_code == 202
    assert response.json()["state"] == "reserved"
    assert response.json()["saga"]["status"] == "needs_review"


def test_out_of_stock_answers_409_and_leaves_nothing_behind(
    alice_client, post_checkout
):
    """More mugs than the shelf holds: 409 out_of_stock naming the SKU, no order."""
    body = checkout_body(lines=[{"sku": "MUG-001", "quantity": 6}])

    response = post_checkout(alice_client, body)

    problem = assert_problem(response, 409, "out_of_stock")
    assert problem["skus"] == ["MUG-001"]
    assert "Location" not in response
    assert not Order.objects.exists()
    assert not SagaRun.objects.exists()
    assert Charge.objects.count() == 0
    assert StockItem.objects.get(sku="MUG-001").reserved == 0


@pytest.mark.parametrize(
    ("token", "code"),
    [("tok_chargeDeclined", "payment_declined"), ("tok_nope", "invalid_payment_token")],
)
def test_refused_card_answers_402_with_its_code(
    alice_client, post_checkout, token, code
):
    """A declined card or unknown token: 402 with that code, the order cancelled."""
    response = post_checkout(alice_client, checkout_body(payment_token=token))

    problem = assert_problem(response, 402, code)
    assert Order.objects.get(pk=problem["order_id"]).state == "cancelled"
    assert Charge.objects.count() == 0


def test_prices_come_from_the_catalogue(alice_client, post_checkout, catalog):
    """The total is computed from catalogue prices at checkout time."""
    catalog["MUG-001"].price = "99.99"
    catalog["MUG-001"].save()

    response = post_checkout(alice_client)

    assert response.json()["total"] == "139.99"


@pytest.mark.parametrize(
    "field", ["total", "state", "owner", "currency", "id", "operation_id"]
)
def test_fields_a_client_may_not_set_are_refused(alice_client, post_checkout, field):
    """Mass assignment: an unknown top-level field is a 400 naming it, no order."""
    response = post_checkout(alice_client, checkout_body(**{field: "0.01"}))

    problem = assert_problem(response, 400, "invalid_request")
    assert list(problem["errors"]) == [field]
    assert Order.objects.count() == 0


def test_a_price_sent_on_a_line_is_refused(alice_client, post_checkout):
    """Lines take a SKU and a quantity only; a unit_price is refused."""
    body = checkout_body(
        lines=[{"sku": "TEE-001", "quantity": 1, "unit_price": "0.01"}]
    )

    problem = assert_problem(post_checkout(alice_client, body), 400, "invalid_request")
    assert problem["errors"]["lines"] == {
        "0": {"unit_price": ["Unknown field: it cannot be set by a client."]}
    }
    assert Order.objects.count() == 0


def test_too_many_lines_are_refused(alice_client, post_checkout, settings):
    """More lines than CHECKOUT_MAX_LINES (read per request): 400, no order."""
    settings.CHECKOUT_MAX_LINES = 2
    lines = [{"sku": "TEE-001", "quantity": 1}] * 3

    response = post_checkout(alice_client, checkout_body(lines=lines))

    problem = assert_problem(response, 400, "invalid_request")
    assert "lines" in problem["errors"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "lines",
    [
        [{"sku": "TEE-001", "quantity": 11}],
        # Merged into one line of 11: the limit is per product, not per line.
        [{"sku": "TEE-001", "quantity": 6}, {"sku": "TEE-001", "quantity": 5}],
    ],
    ids=["one-line", "merged-lines"],
)
def test_quantity_over_the_limit_is_refused(alice_client, post_checkout, lines):
    """More than CHECKOUT_MAX_QUANTITY (10) units of one product: 400, no order."""
    response = post_checkout(alice_client, checkout_body(lines=lines))

    problem = assert_problem(response, 400, "invalid_request")
    assert "lines" in problem["errors"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"lines": []},
        {"lines": [{"sku": "TEE-001", "quantity": 0}]},
        {"lines": [{"sku": "TEE-001", "quantity": "2.5"}]},
        {"shipping_address": dict(checkout_body()["shipping_address"], country="GBR")},
        {"payment_token": ""},
    ],
    ids=["no-lines", "zero-quantity", "fraction", "country", "no-token"],
)
def test_invalid_bodies_are_refused(alice_client, post_checkout, changes):
    """A body that breaks the schema is 400 invalid_request with field errors."""
    response = post_checkout(alice_client, checkout_body(**changes))

    problem = assert_problem(response, 400, "invalid_request")
    assert set(problem["errors"]) == set(changes)
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "quantity", ["1", 1.0, True], ids=["string", "decimal", "boolean"]
)
def test_a_quantity_must_be_a_json_integer(alice_client, post_checkout, quantity):
    """Issue 12: "1" is not the integer the schema asks for; 400, no order."""
    body = checkout_body(lines=[{"sku": "TEE-001", "quantity": quantity}])

    problem = assert_problem(post_checkout(alice_client, body), 400, "invalid_request")

    assert problem["errors"] == {"lines": {"0": {"quantity": [NOT_AN_INTEGER]}}}
    assert Order.objects.count() == 0


def test_unknown_product_is_refused(alice_client, post_checkout):
    """A SKU the catalogue does not sell: 400 unknown_product, no order."""
    body = checkout_body(lines=[{"sku": "NOPE-1", "quantity": 1}])

    problem = assert_problem(post_checkout(alice_client, body), 400, "unknown_product")
    assert problem["skus"] == ["NOPE-1"]
    assert Order.objects.count() == 0


def test_malformed_json_is_refused(alice_client, catalog):
    """A body that is not JSON: 400 malformed_request."""
    response = alice_client.post(
        "/api/orders/",
        b"{not json",
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )

    assert_problem(response, 400, "malformed_request")


def test_a_body_over_the_size_limit_is_413(alice_client, post_checkout, settings):
    """A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE: 413 request_too_large."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = checkout_body(payment_token="x" * 2000)

    response = post_checkout(alice_client, body)

    assert_problem(response, 413, "request_too_large")
    assert Order.objects.count() == 0


def test_the_default_body_limit_is_64_kib(settings):
    """The settings cap request bodies at 64 KiB."""
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 64 * 1024


def test_faults_are_refused_when_fault_injection_is_off(alice_client, post_checkout):
    """faults in the body without FAULT_INJECTION: 400, and no order or plan."""
    body = checkout_body(faults={"payments.charge": "error"})

    assert_problem(post_checkout(alice_client, body), 400, "fault_injection_disabled")
    assert Order.objects.count() == 0
    assert FaultPlan.objects.count() == 0


def test_faults_are_applied_when_fault_injection_is_on(
    alice_client, post_checkout, settings
):
    """With FAULT_INJECTION on, the plan breaks the charge: the order is cancelled."""
    settings.FAULT_INJECTION = True
    body = checkout_body(faults={"payments.charge": "error"})

    response = post_checkout(alice_client, body)

    assert response.status_code == 201
    assert response.json()["state"] == "cancelled"
    assert response.json()["failure"]["code"] == "checkout_failed"


def test_an_anonymous_checkout_is_401(post_checkout):
    """Without credentials: 401 not_authenticated, with WWW-Authenticate."""
    response = post_checkout(APIClient())

    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert Order.objects.count() == 0
