"""Read the notifications of an operation and what the simulated channels sent."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Notification, SentMessage


def notifications_for(*, operation_id: str) -> QuerySet[Notification]:
    """Return the notifications of ``operation_id``, one per channel at most."""
    return Notification.objects.filter(operation_id=operation_id).order_by("channel")


def sent_messages_for(*, operation_id: str) -> QuerySet[SentMessage]:
    """Return what the simulated SMS and push channels delivered for the operation."""
    return SentMessage.objects.filter(reference=operation_id)
