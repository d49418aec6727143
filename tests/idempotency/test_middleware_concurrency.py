"""Idempotency-Key middleware: one key sent by many clients at the same instant."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from idempotency.models import IdempotencyKey
from tests.idempotency.conftest import BODY, KEY, URLCONF

THREADS = 20


@pytest.mark.postgres
@pytest.mark.urls(URLCONF)
@pytest.mark.django_db(transaction=True)
def test_parallel_requests_with_one_key_run_the_view_once(alice, runs):
    """Twenty simultaneous POSTs: one run; the others 409 or the replay; no 5xx."""
    token = Token.objects.create(user=alice)
    barrier = threading.Barrier(THREADS)
    responses, errors = [], []

    def post() -> None:
        client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
        try:
            barrier.wait(timeout=10)
            responses.append(
                client.post(
                    "/api/slow/",
                    data=BODY,
                    content_type="application/json",
                    headers={"Idempotency-Key": KEY},
                )
            )
        except Exception as exc:  # reported below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(responses) == THREADS
    assert runs() == 1
    assert {r.status_code for r in responses} <= {201, 409}
    originals = [
        r
        for r in responses
        if r.status_code == 201 and not r.has_header("Idempotent-Replayed")
    ]
    assert len(originals) == 1
    replays = [r for r in responses if r.has_header("Idempotent-Replayed")]
    assert all(r.content == originals[0].content for r in replays)
    assert IdempotencyKey.objects.get().status == IdempotencyKey.Status.COMPLETED
