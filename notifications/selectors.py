"""Read what the simulated SMS and push provider delivered for an operation."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import SentMessage


def sent_messages_for(*, operation_id: str) -> QuerySet[SentMessage]:
    """Return what the simulated SMS and push channels delivered for the operation."""
    return SentMessage.objects.filter(reference=operation_id)
