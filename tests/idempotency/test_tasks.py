"""Scheduled tasks of the key store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from idempotency.models import IdempotencyKey
from idempotency.tasks import idempotency_keys_purge

pytestmark = pytest.mark.django_db


def test_purge_task_deletes_expired_keys(key_row):
    """The scheduled task purges keys whose retention ended."""
    key_row(expires_at=timezone.now() - timedelta(seconds=1))

    assert idempotency_keys_purge() == 1
    assert not IdempotencyKey.objects.exists()
