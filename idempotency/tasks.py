"""Scheduled tasks of the key store (django-q2)."""

from __future__ import annotations

from idempotency.services import idempotency_key_purge


def idempotency_keys_purge() -> int:
    """Delete the expired Idempotency-Keys; return how many were deleted."""
    return idempotency_key_purge()
