"""Key store services: claims, completion, release and purge."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from idempotency import services
from idempotency.exceptions import IdempotencyKeyInProgress, IdempotencyKeyReused
from idempotency.models import IdempotencyKey
from idempotency.services import (
    idempotency_key_claim,
    idempotency_key_complete,
    idempotency_key_purge,
    idempotency_key_release,
)
from idempotency.signals import Outcome
from tests.idempotency.conftest import BODY, KEY

pytestmark = pytest.mark.django_db

FINGERPRINT = hashlib.sha256(BODY).hexdigest()


@pytest.fixture
def claim(alice):
    """Return a function that claims alice's key for the default request."""

    def claim(**overrides):
        fields = {
            "scope": str(alice.pk),
            "method": "POST",
            "path": "/api/things/",
            "key": KEY,
            "fingerprint": FINGERPRINT,
        }
        return idempotency_key_claim(**{**fields, **overrides})

    return claim


def test_first_claim_inserts_a_row_in_progress_with_a_lock(claim, settings):
    """A new key is stored in progress, locked for the lock period."""
    settings.IDEMPOTENCY_LOCK_SECONDS = 60
    now = timezone.now()

    result = claim(now=now)

    assert result.outcome is Outcome.NEW
    row = IdempotencyKey.objects.get()
    assert row.status == IdempotencyKey.Status.IN_PROGRESS
    assert row.locked_until == now + timedelta(seconds=60)


def test_second_claim_while_in_progress_is_refused(claim):
    """The unique INSERT fails for the second claim, which reports a conflict."""
    claim()

    with pytest.raises(IdempotencyKeyInProgress):
        claim()
    assert IdempotencyKey.objects.count() == 1


def test_claim_with_another_fingerprint_is_refused(claim):
    """A different body under the same key is a reuse."""
    claim()

    with pytest.raises(IdempotencyKeyReused):
        claim(fingerprint="0" * 64)


def test_completed_key_is_returned_for_replay(claim):
    """Once completed, a claim returns the stored row to replay."""
    record = claim().record
    idempotency_key_complete(
        record=record,
        response_status=201,
        response_body=b"{}",
        response_headers={"Content-Type": "application/json"},
    )

    result = claim()

    assert result.replay
    assert bytes(result.record.response_body) == b"{}"


def test_completion_by_a_request_whose_claim_was_taken_over_is_ignored(claim):
    """A slow request that lost its claim cannot overwrite the new owner's row."""
    record = claim().record
    IdempotencyKey.objects.update(claim_token=uuid.uuid4())

    stored = idempotency_key_complete(
        record=record, response_status=201, response_body=b"late", response_headers={}
    )

    assert stored is False
    assert IdempotencyKey.objects.get().status == IdempotencyKey.Status.IN_PROGRESS


def test_release_by_a_request_whose_claim_was_taken_over_is_ignored(claim):
    """A slow request that lost its claim cannot delete the new owner's row."""
    record = claim().record
    IdempotencyKey.objects.update(claim_token=uuid.uuid4())

    assert idempotency_key_release(record=record) is False
    assert IdempotencyKey.objects.count() == 1


@pytest.fixture
def stale_read(monkeypatch):
    """Make the next claim read ``row`` as it was, before a rival request wrote."""

    def stale_read(row: IdempotencyKey) -> None:
        reads, real_claim = iter([row]), services.row_claim

        def claim_seeing_the_old_row(model, *, lookup, values):
            # The INSERT is refused either way; the loser then reads the old row.
            old = next(reads, None)
            if old is not None:
                return old, False
            return real_claim(model, lookup=lookup, values=values)

        monkeypatch.setattr(services, "row_claim", claim_seeing_the_old_row)

    return stale_read


def test_two_takeovers_of_a_crashed_claim_have_one_winner(claim, stale_read):
    """Both saw the expired lock; the conditional update lets only the first in."""
    claim()
    later = timezone.now() + timedelta(hours=1)
    seen_by_loser = IdempotencyKey.objects.get()

    assert claim(now=later).outcome is Outcome.TAKEOVER
    stale_read(seen_by_loser)
    with pytest.raises(IdempotencyKeyInProgress):
        claim(now=later)


def test_two_reclaims_of_an_expired_key_have_one_winner(claim, stale_read):
    """Both saw the key expired; only the first turns it into a fresh claim."""
    claim()
    after_retention = timezone.now() + timedelta(days=2)
    seen_by_loser = IdempotencyKey.objects.get()

    assert claim(now=after_retention).outcome is Outcome.NEW
    stale_read(seen_by_loser)
    with pytest.raises(IdempotencyKeyInProgress):
        claim(now=after_retention)
    assert IdempotencyKey.objects.count() == 1


def test_purge_deletes_expired_keys_only(key_row):
    """Keys past their retention go; the others stay."""
    now = timezone.now()
    key_row(key="old", expires_at=now - timedelta(seconds=1))
    key_row(key="fresh", expires_at=now + timedelta(seconds=1))

    assert idempotency_key_purge(now=now) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
