"""Read the outbox: backlog figures for metrics and health, messages by aggregate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Min, QuerySet
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


def messages_for(
    *, aggregate_type: str, aggregate_ids: Iterable[str]
) -> QuerySet[OutboxMessage]:
    """Return the messages about these aggregates, in the order they were written."""
    return OutboxMessage.objects.filter(
        aggregate_type=aggregate_type, aggregate_id__in=list(aggregate_ids)
    ).order_by("id")
