"""Read the key store."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from idempotency.models import IdempotencyKey


def idempotency_key_list_expired(*, now: datetime) -> QuerySet[IdempotencyKey]:
    """Return the keys whose retention period has ended at ``now``."""
    return IdempotencyKey.objects.filter(expires_at__lte=now)
