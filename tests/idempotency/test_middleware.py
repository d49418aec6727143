"""Idempotency-Key middleware: first use, replay, validation and pass-through."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from idempotency.models import IdempotencyKey
from idempotency.signals import Outcome, idempotency_outcome
from tests.idempotency.conftest import KEY, OTHER_BODY, URLCONF

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]


def test_sequential_retries_replay_the_first_response_byte_for_byte(
    alice_client, send, runs
):
    """Ten sends of one key run the view once; nine replays carry identical bytes."""
    first = send(alice_client)
    replays = [send(alice_client) for _ in range(9)]

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert runs() == 1
    for replay in replays:
        assert replay.status_code == 201
        assert replay["Idempotent-Replayed"] == "true"
        assert replay.content == first.content
        assert replay["Content-Type"] == first["Content-Type"]
        assert replay["Location"] == first["Location"]


def test_first_use_stores_the_response_and_the_headers_that_describe_it(
    alice_token_client, send
):
    """The row keeps status, body, Content-Type and Location; never cookies."""
    response = send(alice_token_client)

    row = IdempotencyKey.objects.get()
    assert row.status == IdempotencyKey.Status.COMPLETED
    assert row.response_status == 201
    assert bytes(row.response_body) == response.content
    assert row.response_headers == {
        "Content-Type": "application/json",
        "Location": response["Location"],
    }


def test_replay_does_not_repeat_cookies_or_other_headers(alice_token_client, send):
    """Set-Cookie and headers outside the stored list are not replayed."""
    send(alice_token_client)
    replay = send(alice_token_client)

    assert "X-Run" not in replay
    assert "flavour" not in replay.cookies


def test_same_key_with_another_body_is_422(alice_token_client, send, runs):
    """Reusing a key for a different body is refused and the view does not run."""
    send(alice_token_client)
    response = send(alice_token_client, body=OTHER_BODY)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_reused"
    assert runs() == 1


def test_missing_key_on_the_order_endpoint_is_400(alice_client, send, runs):
    """POST /api/orders/ requires the header; nothing is claimed or run."""
    response = send(alice_client, "/api/orders/", key=None)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert runs() == 0
    assert not IdempotencyKey.objects.exists()


def test_key_is_optional_on_other_endpoints(alice_token_client, send, runs):
    """Without the header another unsafe endpoint runs normally, unrecorded."""
    response = send(alice_token_client, key=None)

    assert response.status_code == 201
    assert runs() == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize(
    "key",
    ["", "k" * 256, "tab\there", "del\x7f", "caf\xe9", f"{KEY},{KEY}", '"a", "b"'],
    ids=["empty", "256-chars", "control", "del", "non-ascii", "repeated", "list"],
)
def test_malformed_key_is_400(alice_token_client, send, runs, key):
    """A key must be one String or bare key of 1 to 255 characters."""
    response = send(alice_token_client, key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert response.json()["detail"]
    assert runs() == 0
    assert not IdempotencyKey.objects.exists()


def test_key_of_255_printable_characters_is_accepted(alice_token_client, send):
    """The longest allowed key, spaces and symbols included, is claimed."""
    key = ("a ~!" * 64)[:255]
    response = send(alice_token_client, key=f'"{key}"')

    assert response.status_code == 201
    assert IdempotencyKey.objects.get().key == key


def test_the_quoted_and_the_bare_form_claim_one_key(alice_token_client, send, runs):
    """'"K"' after 'K' is the same key: the first response is replayed."""
    first = send(alice_token_client, key=KEY)
    again = send(alice_token_client, key=f'"{KEY}"')

    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert runs() == 1
    assert IdempotencyKey.objects.get().key == KEY


def test_errors_are_problem_documents(alice_token_client, send):
    """A refusal is RFC 9457 problem+json with type, title, status and code."""
    response = send(alice_token_client, "/api/orders/", key=None)

    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/idempotency_key_missing",
        "title": "This endpoint requires an Idempotency-Key header.",
        "status": 400,
        "code": "idempotency_key_missing",
        "request_id": response["X-Request-ID"],
    }


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_unsafe_methods_are_handled(alice_token_client, send, runs, method):
    """PUT, PATCH and DELETE with a key are claimed and replayed like POST."""
    send(alice_token_client, method=method)
    replay = send(alice_token_client, method=method)

    assert replay["Idempotent-Replayed"] == "true"
    assert runs() == 1
    assert IdempotencyKey.objects.get().method == method.upper()


def test_safe_methods_pass_through(alice_token_client):
    """A GET with a key is not the middleware's business."""
    alice_token_client.get("/api/things/", headers={"Idempotency-Key": KEY})

    assert not IdempotencyKey.objects.exists()


def test_exempt_path_passes_through(alice_token_client, send, runs):
    """The token endpoint ignores the header: every call runs."""
    send(alice_token_client, "/api/auth/token/")
    send(alice_token_client, "/api/auth/token/")

    assert runs() == 2
    assert not IdempotencyKey.objects.exists()


def test_anonymous_request_passes_through_to_the_views_401(client, send, runs):
    """Without credentials nothing is claimed, even on the required endpoint."""
    response = send(client, "/api/orders/", key=None)

    assert response.status_code == 401
    assert runs() == 0
    assert not IdempotencyKey.objects.exists()


def test_bad_token_passes_through_to_the_views_401(send, runs):
    """An unknown token is anonymous to the middleware, as to the view."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = send(client)

    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_force_authenticated_test_client_is_scoped_to_its_user(alice, send):
    """APIClient.force_authenticate() users are scoped like real ones."""
    client = APIClient()
    client.force_authenticate(alice)
    response = send(client, "/api/orders/", key=None)

    assert response.status_code == 400


def test_each_outcome_is_signalled(alice_token_client, send):
    """Listeners receive new, replay and mismatch for these three requests."""
    outcomes = []

    def listen(sender, outcome, method, path, **kwargs):
        outcomes.append((outcome, method, path))

    idempotency_outcome.connect(listen)
    try:
        send(alice_token_client)
        send(alice_token_client)
        send(alice_token_client, body=OTHER_BODY)
    finally:
        idempotency_outcome.disconnect(listen)

    assert outcomes == [
        (Outcome.NEW, "POST", "/api/things/"),
        (Outcome.REPLAY, "POST", "/api/things/"),
        (Outcome.MISMATCH, "POST", "/api/things/"),
    ]
