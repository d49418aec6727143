"""Delivery channels: email through Django's mail backend, SMS and push through theirs.

Like ``EMAIL_BACKEND`` for email, ``SMS_BACKEND`` and ``PUSH_BACKEND`` name the
class that delivers SMS and push messages (see ``notifications.backends``): the
console by default, memory in tests, the simulated provider's table for demos
and for tests that run several processes. A real provider's client goes there
in production.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

EMAIL, SMS, PUSH = "email", "sms", "push"
CHANNELS = (EMAIL, SMS, PUSH)


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


def notification_channel(name: str) -> Channel:
    """Return the channel that delivers messages of kind ``name``."""
    if name == EMAIL:
        return EmailChannel()
    backend = settings.SMS_BACKEND if name == SMS else settings.PUSH_BACKEND
    return import_string(backend)(channel=name)
