"""Idempotency-Key middleware: keys in progress, crashed, expired, foreign, failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from idempotency import middleware
from idempotency.models import IdempotencyKey
from tests.idempotency.conftest import URLCONF

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]


def test_key_in_progress_is_409_with_retry_after(
    alice_token_client, send, runs, key_row
):
    """While the first request holds the key, a retry is told to come back later."""
    key_row(locked_until=timezone.now() + timedelta(seconds=30))

    response = send(alice_token_client)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert 1 <= int(response["Retry-After"]) <= 30
    assert runs() == 0


def test_claim_of_a_crashed_request_is_taken_over_after_its_lock(
    alice_token_client, send, runs, key_row
):
    """A claim whose lock expired runs the view again under a new claim token."""
    crashed = key_row(locked_until=timezone.now() - timedelta(seconds=1))

    response = send(alice_token_client)

    row = IdempotencyKey.objects.get()
    assert response.status_code == 201
    assert runs() == 1
    assert row.status == IdempotencyKey.Status.COMPLETED
    assert row.claim_token != crashed.claim_token


def test_crashed_claim_with_another_body_is_still_422(
    alice_token_client, send, runs, key_row
):
    """The body is compared before the lock: a different request takes nothing over."""
    key_row(locked_until=timezone.now() - timedelta(seconds=1), fingerprint="0" * 64)

    response = send(alice_token_client)

    assert response.status_code == 422
    assert runs() == 0


def test_expired_key_counts_as_absent(alice_token_client, send, runs, key_row):
    """After retention the stored response is not replayed; the view runs anew."""
    key_row(
        status=IdempotencyKey.Status.COMPLETED,
        response_status=201,
        response_body=b'{"stale": true}',
        response_headers={"Content-Type": "application/json"},
        locked_until=None,
        expires_at=timezone.now() - timedelta(seconds=1),
    )

    response = send(alice_token_client)

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert response.json()["run"]
    assert runs() == 1
    assert IdempotencyKey.objects.get().expires_at > timezone.now()


def test_another_users_key_never_returns_the_first_users_response(
    alice_token_client, bob_client, send, runs
):
    """Bob sending Alice's key and body gets his own run and his own response."""
    send(alice_token_client)
    response = send(bob_client)

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert response.json()["user"] == "bob"
    assert runs() == 2
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.parametrize("code", [500, 503])
def test_server_error_releases_the_key(alice_token_client, send, runs, code):
    """A 5xx is not stored: the retry runs the view again."""
    first = send(alice_token_client, f"/api/status/{code}/")
    assert first.status_code == code
    assert not IdempotencyKey.objects.exists()

    send(alice_token_client, f"/api/status/{code}/")
    assert runs() == 2


def test_unhandled_exception_releases_the_key(alice_token_client, send):
    """A view that raises answers 500 and leaves the key free for a retry."""
    response = send(alice_token_client, "/api/boom/")

    assert response.status_code == 500
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("code", [401, 403, 408, 425, 429])
def test_transient_and_credential_refusals_are_not_stored(
    alice_token_client, send, runs, code
):
    """Refusals that may change on retry (auth, throttling) release the key."""
    send(alice_token_client, f"/api/status/{code}/")
    send(alice_token_client, f"/api/status/{code}/")

    assert runs() == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("code", [200, 400, 404, 409, 422])
def test_business_responses_are_stored_and_replayed(
    alice_token_client, send, runs, code
):
    """A success or a business refusal (out of stock: 409) is the request's outcome."""
    first = send(alice_token_client, f"/api/status/{code}/")
    replay = send(alice_token_client, f"/api/status/{code}/")

    assert replay.status_code == first.status_code == code
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.content == first.content
    assert runs() == 1


def test_replay_of_a_response_without_body_has_no_content_type(
    alice_token_client, send
):
    """A 204 is replayed as it was: empty, and without an invented Content-Type."""
    first = send(alice_token_client, "/api/status/204/")
    replay = send(alice_token_client, "/api/status/204/")

    assert "Content-Type" not in first
    assert replay.status_code == 204
    assert replay.content == b""
    assert "Content-Type" not in replay


def test_response_reaches_the_client_when_storing_it_fails(
    alice_token_client, send, monkeypatch
):
    """A store failure after the view ran still answers; the claim waits to expire."""

    def fail(**kwargs):
        raise DatabaseError("store down")

    monkeypatch.setattr(middleware, "idempotency_key_complete", fail)

    response = send(alice_token_client)

    assert response.status_code == 201
    assert IdempotencyKey.objects.get().status == IdempotencyKey.Status.IN_PROGRESS


def test_path_too_long_for_the_store_passes_through(alice_token_client, send):
    """No route is that long: the router answers 404 and nothing is claimed."""
    response = send(alice_token_client, "/api/" + "x" * 1100 + "/")

    assert response.status_code == 404
    assert not IdempotencyKey.objects.exists()
