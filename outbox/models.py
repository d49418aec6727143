"""The outbox and its consumers: messages, the inbox, webhook endpoints, deliveries."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from outbox.signing import secret_generate


class OutboxMessage(models.Model):
    """One event to publish, stored with the business change that caused it.

    Because the row commits (or rolls back) together with that change, an event is
    never published for a change that did not happen, nor lost for one that did.
    The relay delivers pending messages at least once; consumers drop duplicates by
    ``message_id``. While a relay works on a message, ``available_at`` is pushed
    forward (a lease): if that relay dies, the message becomes due again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead-lettered"

    # The auto-increment id gives the creation order the relay publishes in.
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=100)
    aggregate_type = models.CharField(max_length=50)
    aggregate_id = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    # The trace the message was written in (W3C Trace Context), for the relay's
    # span to link to; empty when nothing was traced.
    trace_context = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "available_at"]),
            models.Index(fields=["aggregate_type", "aggregate_id", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.aggregate_type}:{self.aggregate_id}"


class InboxMessage(models.Model):
    """A message an in-process consumer has handled: its record of duplicates.

    The row is inserted in the same transaction as the consumer's effect, so a
    message delivered twice finds the row the first delivery committed and has
    one effect only.
    """

    consumer = models.CharField(max_length=100)
    # No foreign key: a consumer's inbox holds message ids, wherever they came from.
    message_id = models.UUIDField()
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "message_id"], name="outbox_inbox_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} handled {self.message_id}"


def generate_secret() -> str:
    """Return a new random signing secret for a webhook endpoint."""
    return secret_generate()


def validate_event_types(value: object) -> None:
    """Reject anything but a list of event type strings."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError('Enter a list of event types, e.g. ["order.paid"].')


class WebhookEndpoint(models.Model):
    """A URL that receives signed copies of outbox messages.

    To rotate a secret without downtime, move the old one to ``previous_secret``
    and set a new ``secret``: deliveries carry a signature for each, and the
    receiver accepts either until it has switched; then clear ``previous_secret``.
    """

    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200, default=generate_secret)
    previous_secret = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_event_types],
        help_text='Event types to send, e.g. ["order.paid"]; empty sends all.',
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        """Return whether this endpoint subscribes to ``event_type``."""
        return not self.event_types or event_type in self.event_types

    def signing_secrets(self) -> list[str]:
        """Return the secrets to sign with: the current one, then the previous."""
        return [s for s in (self.secret, self.previous_secret) if s]


class WebhookDelivery(models.Model):
    """The delivery of one message to one endpoint, retried until it succeeds.

    ``failed`` waits for ``next_attempt_at``; after the last allowed attempt the
    delivery is ``dead`` until someone retries it from the admin.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed, will retry"
        DEAD = "dead", "Dead-lettered"

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["message", "endpoint"], name="outbox_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.message} -> {self.endpoint}"
