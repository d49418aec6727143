"""Read the outbox: the backlog figures that metrics and health pages report."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone

from outbox.models import OutboxMessage


def outbox_backlog(*, now: datetime | None = None) -> tuple[int, float]:
    """Return the number of pending messages and the age in seconds of the oldest."""
    figures = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING
    ).aggregate(count=Count("id"), oldest=Min("created_at"))
    if not figures["count"]:
        return 0, 0.0
    age = ((now or timezone.now()) - figures["oldest"]).total_seconds()
    return figures["count"], max(age, 0.0)
