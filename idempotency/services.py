"""Claim, complete, release and purge Idempotency-Keys.

Every write is a single statement that either inserts under the unique constraint
or updates conditionally (``WHERE claim_token = ...``), so concurrent requests with
one key cannot both win, on SQLite and PostgreSQL alike, without row locks.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from claims.rows import row_claim
from idempotency.exceptions import IdempotencyKeyInProgress, IdempotencyKeyReused
from idempotency.models import IdempotencyKey
from idempotency.selectors import idempotency_key_list_expired
from idempotency.signals import Outcome

logger = logging.getLogger(__name__)

DEFAULT_LOCK_SECONDS = 60
DEFAULT_RETENTION_SECONDS = 24 * 3600
# A claim races at most a release or a purge between its INSERT and its SELECT;
# a few rounds settle it.
CLAIM_ATTEMPTS = 3


@dataclass(frozen=True)
class Claim:
    """The result of claiming a key: a row to fill in, or a response to replay."""

    record: IdempotencyKey
    outcome: Outcome

    @property
    def replay(self) -> bool:
        """Return whether the stored response must be replayed."""
        return self.outcome is Outcome.REPLAY


def _lock_period() -> timedelta:
    return timedelta(
        seconds=getattr(settings, "IDEMPOTENCY_LOCK_SECONDS", DEFAULT_LOCK_SECONDS)
    )


def _retention_period() -> timedelta:
    return timedelta(
        seconds=getattr(
            settings, "IDEMPOTENCY_RETENTION_SECONDS", DEFAULT_RETENTION_SECONDS
        )
    )


def _reclaim_expired(
    record: IdempotencyKey, *, fingerprint: str, now: datetime
) -> bool:
    """Turn an expired row into a fresh claim; return False if another request won."""
    fresh = {
        "fingerprint": fingerprint,
        "status": IdempotencyKey.Status.IN_PROGRESS,
        "claim_token": uuid.uuid4(),
        "response_status": None,
        "response_body": None,
        "response_headers": {},
        "locked_until": now + _lock_period(),
        "created_at": now,
        "completed_at": None,
        "expires_at": now + _retention_period(),
    }
    # The condition is the expiry itself: the first reclaim moves expires_at into
    # the future, so a second one racing it updates nothing.
    updated = IdempotencyKey.objects.filter(pk=record.pk, expires_at__lte=now).update(
        **fresh
    )
    for field, value in fresh.items():
        setattr(record, field, value)
    return updated == 1


def _take_over(record: IdempotencyKey, *, now: datetime) -> bool:
    """Take over a claim whose lock expired; return False if another request won."""
    token = uuid.uuid4()
    locked_until = now + _lock_period()
    updated = IdempotencyKey.objects.filter(
        pk=record.pk,
        status=IdempotencyKey.Status.IN_PROGRESS,
        claim_token=record.claim_token,
    ).update(claim_token=token, locked_until=locked_until)
    if updated:
        logger.warning("Took over the expired claim of idempotency key %s", record.pk)
    record.claim_token, record.locked_until = token, locked_until
    return updated == 1


def idempotency_key_claim(
    *,
    scope: str,
    method: str,
    path: str,
    key: str,
    fingerprint: str,
    now: datetime | None = None,
) -> Claim:
    """Claim ``key`` for this request, or return the stored response to replay.

    Raise IdempotencyKeyReused when the key was used with another body and
    IdempotencyKeyInProgress while the request that holds it is still running.
    An expired key counts as absent; a claim whose lock expired (its request
    crashed) is taken over.
    """
    now = now or timezone.now()
    identity = {"scope": scope, "method": method, "path": path, "key": key}
    fresh = {
        "fingerprint": fingerprint,
        "locked_until": now + _lock_period(),
        "created_at": now,
        "expires_at": now + _retention_period(),
    }
    for _ in range(CLAIM_ATTEMPTS):
        # In autocommit (a normal request) the INSERT commits on its own, before
        # the view runs, so that other requests see the claim at once.
        try:
            record, created = row_claim(IdempotencyKey, lookup=identity, values=fresh)
        except IntegrityError:
            continue  # released or purged since our INSERT: try again
        if created:
            return Claim(record=record, outcome=Outcome.NEW)
        if record.expires_at <= now:
            if _reclaim_expired(record, fingerprint=fingerprint, now=now):
                return Claim(record=record, outcome=Outcome.NEW)
            continue
        # The body is checked first: a different request never learns whether the
        # first one finished.
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if record.status == IdempotencyKey.Status.COMPLETED:
            return Claim(record=record, outcome=Outcome.REPLAY)
        if record.locked_until and record.locked_until > now:
            wait = (record.locked_until - now).total_seconds()
            raise IdempotencyKeyInProgress(retry_after=max(1, math.ceil(wait)))
        if _take_over(record, now=now):
            return Claim(record=record, outcome=Outcome.TAKEOVER)
    raise IdempotencyKeyInProgress(retry_after=1)


def idempotency_key_complete(
    *,
    record: IdempotencyKey,
    response_status: int,
    response_body: bytes,
    response_headers: Mapping[str, str],
    now: datetime | None = None,
) -> bool:
    """Store the response of a claimed key; return False if the claim was lost.

    The claim is lost when the request outlived its lock and another request
    took the key over: that request's response is the one kept.
    """
    now = now or timezone.now()
    updated = IdempotencyKey.objects.filter(
        pk=record.pk,
        claim_token=record.claim_token,
        status=IdempotencyKey.Status.IN_PROGRESS,
    ).update(
        status=IdempotencyKey.Status.COMPLETED,
        response_status=response_status,
        response_body=response_body,
        response_headers=dict(response_headers),
        locked_until=None,
        completed_at=now,
        expires_at=now + _retention_period(),
    )
    if not updated:
        logger.warning("Lost the claim of idempotency key %s", record.pk)
    return updated == 1


def idempotency_key_release(*, record: IdempotencyKey) -> bool:
    """Delete a claim without storing a response, so the client may retry."""
    deleted, _ = IdempotencyKey.objects.filter(
        pk=record.pk,
        claim_token=record.claim_token,
        status=IdempotencyKey.Status.IN_PROGRESS,
    ).delete()
    return deleted == 1


def idempotency_key_purge(*, now: datetime | None = None) -> int:
    """Delete the keys whose retention period has ended; return how many."""
    deleted, _ = idempotency_key_list_expired(now=now or timezone.now()).delete()
    return deleted
