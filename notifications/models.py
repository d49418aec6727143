"""What the simulated SMS and push provider delivered (its side, not ours)."""

from __future__ import annotations

from django.db import models


class SentMessage(models.Model):
    """What the simulated SMS gateway and push service delivered.

    This table plays the providers' side (``SimulatedProviderBackend``), as the
    mail backend does for email: counting its rows tells how many messages
    really went out.
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
