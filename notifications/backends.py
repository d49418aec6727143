"""Backends for SMS and push: where a message goes once it is handed over.

They play the providers' side, as Django's mail backends do for email.
"""

from __future__ import annotations

import logging
import threading

from notifications.models import SentMessage

logger = logging.getLogger("notifications")

# What ``LocmemBackend`` delivered, oldest first (like ``django.core.mail.outbox``).
outbox: list[dict[str, str]] = []
_outbox_lock = threading.Lock()


class ConsoleBackend:
    """Write each message to the log: the default, for a laptop."""

    def __init__(self, *, channel: str) -> None:
        self.channel = channel

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> None:
        """Log the message as delivered."""
        logger.info(
            "%s to %s: %s",
            self.channel,
            recipient,
            subject,
            extra={"operation_id": reference, "channel": self.channel},
        )


class LocmemBackend(ConsoleBackend):
    """Keep each message in ``notifications.backends.outbox``: for tests."""

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> None:
        """Append the message to the in-memory outbox."""
        with _outbox_lock:
            outbox.append(
                {
                    "channel": self.channel,
                    "recipient": recipient,
                    "subject": subject,
                    "body": body,
                    "reference": reference,
                }
            )


class SimulatedProviderBackend(ConsoleBackend):
    """Record each message in the simulated provider's table (``SentMessage``).

    For the demo's admin and for tests whose processes must count deliveries
    together: the provider's own record of what went out.
    """

    def send(self, *, recipient: str, subject: str, body: str, reference: str) -> None:
        """Record the message as delivered."""
        SentMessage.objects.create(
            channel=self.channel,
            recipient=recipient,
            subject=subject,
            body=body,
            reference=reference,
        )
