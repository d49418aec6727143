"""Backlog figures for metrics: pending count and age of the oldest pending message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from outbox.models import OutboxMessage
from outbox.selectors import outbox_backlog

pytestmark = pytest.mark.django_db


def test_an_empty_outbox_has_no_backlog():
    assert outbox_backlog() == (0, 0.0)


def test_the_backlog_counts_pending_messages_and_ages_the_oldest(emit):
    oldest, _newer, done = emit(), emit(), emit()
    OutboxMessage.objects.filter(pk=done.pk).update(status="delivered")
    oldest.refresh_from_db()
    count, age = outbox_backlog(now=oldest.created_at + timedelta(seconds=90))
    assert (count, age) == (2, 90.0)
