"""The API's JSON parser: a body nested too deep is a 400 problem, never a 500."""

from __future__ import annotations

import logging

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.api_parsers import JSONParser, json_depth_exceeds
from idempotency.models import IdempotencyKey
from orders.models import Order
from tests.orders.api.conftest import assert_problem

TOKEN_URL = "/api/auth/token/"
ORDERS_URL = "/api/orders/"
# The probe of issue 12: 2,000 bytes that exhaust json.load's recursion.
THOUSAND_DEEP = b"[" * 1000 + b"]" * 1000


def nested(depth: int) -> list:
    """Return a list nested ``depth`` levels deep."""
    document: list = []
    for _ in range(depth - 1):
        document = [document]
    return document


@pytest.mark.parametrize(
    ("document", "exceeds"),
    [
        ("scalar", False),
        (nested(JSONParser.max_depth), False),
        (nested(JSONParser.max_depth + 1), True),
        ({"lines": [{"sku": "TEE-001"}]}, False),
        ({"a": {"b": nested(JSONParser.max_depth - 1)}}, True),
    ],
    ids=["scalar", "at-the-limit", "one-over", "checkout-shape", "objects-count"],
)
def test_depth_counts_every_list_and_object(document, exceeds):
    """Lists and objects each add a level; scalars add none."""
    assert json_depth_exceeds(document, JSONParser.max_depth) is exceeds


@pytest.fixture
def api_client(django_user_model) -> APIClient:
    """A client with a user's token: the checkout needs one, the token endpoint not."""
    user = django_user_model.objects.create_user("alice", password="x")
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user)}")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", [TOKEN_URL, ORDERS_URL])
@pytest.mark.parametrize(
    "body",
    [THOUSAND_DEEP, b'{"lines": ' + b"[" * 17 + b"]" * 17 + b"}"],
    ids=["recursion-error", "over-max-depth"],
)
def test_a_body_nested_too_deep_is_a_400_problem_logged_once(
    api_client, path, body, caplog
):
    """Issue 12, case 1: 400 malformed_request, one WARNING line, nothing written."""
    with caplog.at_level(logging.INFO):
        response = api_client.post(
            path,
            body,
            content_type="application/json",
            headers={"Idempotency-Key": '"deep-1"'},
        )

    problem = assert_problem(response, 400, "malformed_request")
    assert "nested more than" in problem["detail"]
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.levelname, r.getMessage()) for r in loud] == [
        ("WARNING", f"Bad Request: {path}")
    ]
    assert Order.objects.count() == 0
    assert not Token.objects.exclude(user__username="alice").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", [TOKEN_URL, ORDERS_URL])
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"username": NaN}', "application/json"),
        (b'{"username": ' + b"9" * 5000 + b"}", "application/json"),
        (b'{"username": "\xff\xfe"}', "application/json"),
        (b"\xef\xbb\xbf{}", "application/json"),
        (b'{"username": "x"', "application/json"),
        (b'{"username": "x"}', "application/json; charset=bz2"),
        (b'{"username": "x"}', "application/json; charset=rot13"),
    ],
    ids=[
        "nan",
        "5000-digit-number",
        "invalid-utf-8",
        "byte-order-mark",
        "truncated",
        "compressing-charset",
        "transforming-charset",
    ],
)
def test_malformed_json_of_any_shape_is_a_400_problem(
    api_client, path, body, content_type, caplog
):
    """Bad numbers, bad encodings, bad syntax: 400 malformed_request, one line."""
    with caplog.at_level(logging.INFO):
        response = api_client.post(
            path, body, content_type=content_type, headers={"Idempotency-Key": "k"}
        )

    assert_problem(response, 400, "malformed_request")
    assert [r.levelname for r in caplog.records if r.levelno >= logging.WARNING] == [
        "WARNING"
    ]
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_deep_checkout_keeps_its_key_as_a_refusal(api_client):
    """The 400 is the request's outcome: a retry with the same key replays it."""
    headers = {"Idempotency-Key": '"deep-2"'}
    first = api_client.post(
        ORDERS_URL, THOUSAND_DEEP, content_type="application/json", headers=headers
    )
    again = api_client.post(
        ORDERS_URL, THOUSAND_DEEP, content_type="application/json", headers=headers
    )

    assert first.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get().response_status == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "username=alice&password=x"),
        ("multipart/form-data; boundary=B", "--B\r\n--B--\r\n"),
    ],
    ids=["form", "multipart"],
)
def test_the_token_endpoint_takes_json_only(api_client, content_type, body):
    """A form or multipart body is 415 before any password is checked."""
    response = APIClient().post(TOKEN_URL, body, content_type=content_type)

    assert_problem(response, 415, "unsupported_media_type")
    assert Token.objects.count() == 1  # the fixture's, none issued here
