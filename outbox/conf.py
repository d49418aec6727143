"""The outbox's settings and their defaults, read when used, never at import."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Queue a relay task when a transaction that emitted messages commits.
    "OUTBOX_RELAY_ON_COMMIT": True,
    # ...but at most once per this many seconds per process: a checkout commits
    # several transitions within milliseconds, and one relay run takes them all.
    "OUTBOX_RELAY_TRIGGER_SECONDS": 1.0,
    # Attempts per webhook delivery (and per message for in-process handlers)
    # before it is dead-lettered.
    "OUTBOX_MAX_ATTEMPTS": 8,
    "OUTBOX_BACKOFF_BASE_SECONDS": 2,
    "OUTBOX_BACKOFF_MAX_SECONDS": 600,
    # How long a claimed message stays invisible to other relays. Longer than the
    # task timeout, so that a live relay never sees its messages taken over.
    "OUTBOX_CLAIM_SECONDS": 120,
    "OUTBOX_WEBHOOK_TIMEOUT_SECONDS": 5,
    # The relay task stops claiming new batches after this long, well inside the
    # django-q2 task timeout; the next run carries on.
    "OUTBOX_RELAY_TIME_BUDGET_SECONDS": 30,
}


def outbox_setting(name: str) -> Any:
    """Return the setting ``name``, or its default when the project leaves it out."""
    return getattr(settings, name, DEFAULTS[name])
