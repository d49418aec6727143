"""Delivery channels: email through Django's mail backend; SMS and push simulated."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage

from notifications.models import Notification, SentMessage


class Channel(Protocol):
    """Something that delivers one message to one recipient."""

    def send(
        self, *, recipient: str, subject: str, body: str, reference: str
    ) -> None: ...


class EmailChannel:
    """Send through whatever ``EMAIL_BACKEND`` is configured."""

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> None:
        """Send one email; the backend raises if it cannot."""
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient],
            headers={"X-Operation-Id": reference},
        ).send(fail_silently=False)


class SimulatedChannel:
    """Play an SMS gateway or a push service: delivering is recording."""

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> None:
        """Record the message as delivered."""
        SentMessage.objects.create(
            channel=self.name,
            recipient=recipient,
            subject=subject,
            body=body,
            reference=reference,
        )


def notification_channel(name: str) -> Channel:
    """Return the channel that delivers messages of kind ``name``."""
    if name == Notification.Channel.EMAIL:
        return EmailChannel()
    return SimulatedChannel(name)
