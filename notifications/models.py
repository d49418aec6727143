"""Notifications we send per operation, and what the simulated channels delivered."""

from __future__ import annotations

from django.db import models


class Notification(models.Model):
    """One message to a customer: at most one per operation and channel.

    ``sending`` means the row is claimed and the message may be on its way. A
    crash or a timeout after the hand-over leaves it there for good: at most
    once means a message whose fate is unknown is never sent again. ``failed``
    means the channel refused it before anything left, so it may be sent again.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"
        PUSH = "push", "Push"

    class Status(models.TextChoices):
        SENDING = "sending", "Sending (unknown if it stays)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    operation_id = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SENDING
    )
    attempts = models.PositiveIntegerField(default=1)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation_id", "channel"],
                name="notifications_one_per_operation_and_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient} for {self.operation_id}"


class SentMessage(models.Model):
    """What the simulated SMS gateway and push service delivered.

    This table plays the providers' side, as the mail backend does for email:
    counting its rows tells how many messages really went out.
    """

    channel = models.CharField(max_length=10)
    recipient = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    reference = models.CharField(max_length=100, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "sent message (simulated channel)"

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}"
