"""Leases: which worker may advance a run, and until when.

A lease is taken with one conditional UPDATE, so two workers can never both get
it. Every later write of the holder is fenced by ``lease_owner`` (see
``sagas.runner.journal``): a worker that lost its lease cannot advance the run.

The fence checks the owner, not the expiry: a slow worker whose lease ran out
carries on until someone else takes the run over, and from then on every write
it tries fails. Its call in flight may still land, which is why the lease must
outlast the slowest step and why every external call carries an idempotency key.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q

from sagas.conf import saga_setting
from sagas.models import ACTIVE_STATUSES, SagaRun


def takeovers_allowed() -> int:
    """Return how many takeovers a run survives (``SAGA_MAX_TAKEOVERS``, 5)."""
    return int(saga_setting("SAGA_MAX_TAKEOVERS"))


def lease_ttl() -> timedelta:
    """Return how long a lease lasts (``SAGA_LEASE_SECONDS``, 30 by default)."""
    return timedelta(seconds=float(saga_setting("SAGA_LEASE_SECONDS")))


def lease_owner_new() -> str:
    """Return a name for a new lease holder, unique and telling where it runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def lease_acquire(
    *,
    run_id: int,
    owner: str,
    now: datetime,
    statuses: Iterable[str] = ACTIVE_STATUSES,
    new_status: str | None = None,
) -> bool:
    """Take the run's lease if it is free or expired; return whether we got it.

    ``new_status`` changes the status in the same UPDATE (a reviewer moving a run
    out of ``needs_review``), so two reviewers cannot both act on it.
    """
    changes: dict = {"lease_owner": owner, "lease_expires_at": now + lease_ttl()}
    if new_status is not None:
        changes["status"] = new_status
    free = Q(lease_owner="") | Q(lease_expires_at__lt=now)
    # The lease must be committed before the holder acts on it: one UPDATE in
    # autocommit mode, refused inside a caller's transaction.
    outside_transactions()
    taken = SagaRun.objects.filter(free, pk=run_id, status__in=list(statuses))
    return taken.update(updated_at=now, **changes) == 1


def outside_transactions() -> None:
    """Refuse to go on inside a caller's transaction (as ``atomic(durable=True)``).

    A single UPDATE commits by itself; wrapping it in a durable atomic block
    would add a BEGIN and a COMMIT for nothing. Like Django's durable check,
    this lets a test case's own enclosing transaction pass.
    """
    blocks = transaction.get_connection().atomic_blocks
    if blocks and not getattr(blocks[-1], "_from_testcase", False):
        raise RuntimeError("The lease must be taken outside any transaction.")


def lease_claim_expired(*, owner: str, now: datetime) -> int | None:
    """Take over one active run whose lease expired; return its id, or None.

    Each takeover is counted on the run (``takeovers``): a run whose workers
    keep dying is sent to review instead of being resumed forever, without a
    commit per attempt to count them.
    """
    expired = SagaRun.objects.filter(
        status__in=ACTIVE_STATUSES, lease_expires_at__lt=now
    ).order_by("lease_expires_at", "pk")
    changes = {
        "lease_owner": owner,
        "lease_expires_at": now + lease_ttl(),
        "takeovers": F("takeovers") + 1,
    }
    with transaction.atomic(durable=True):
        if connection.features.has_select_for_update_skip_locked:
            # Sweepers on other machines skip the row we hold instead of queueing
            # behind it; the conditional UPDATE below stays the real guard.
            candidates = expired.select_for_update(skip_locked=True)[:1]
        else:
            # SQLite has no row locks: its IMMEDIATE transaction already holds the
            # database's single write lock, so nobody else is claiming meanwhile.
            candidates = expired[:1]
        run_id = next(iter(candidates.values_list("pk", flat=True)), None)
        if run_id is None:
            return None
        updated = expired.filter(pk=run_id).update(updated_at=now, **changes)
        return run_id if updated else None
