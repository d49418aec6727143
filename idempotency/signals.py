"""The signal sent with the outcome of every request the middleware handles."""

from __future__ import annotations

from enum import StrEnum

from django.dispatch import Signal


class Outcome(StrEnum):
    """What the middleware did with a request that it handled."""

    NEW = "new"  # first use: the key was claimed and the view ran
    TAKEOVER = "takeover"  # a crashed request's expired claim was taken over
    REPLAY = "replay"  # the stored response was replayed; the view did not run
    CONFLICT = "conflict"  # 409: the first request is still running
    MISMATCH = "mismatch"  # 422: same key, another body
    MISSING = "missing"  # 400: required key absent
    INVALID = "invalid"  # 400: malformed key


# Sent with ``outcome`` (an Outcome), ``method`` and ``path`` once per request the
# middleware handles, so that a metrics exporter can count them without the app
# knowing about it.
idempotency_outcome = Signal()
