"""The key store: one row per (user, method, path, Idempotency-Key) and its response."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

# The path is part of the unique key; no route of the API comes near this length.
PATH_MAX_LENGTH = 1024


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key, claimed before the view runs.

    The unique constraint on (scope, method, path, key) is the lock: of many
    requests carrying the same key, exactly one INSERT succeeds. The winner runs
    the view and stores the response here; later requests replay it.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    # Who may replay the response: the authenticated user's id, as text so that
    # another scope resolver (an API client id, a tenant) fits the same column.
    scope = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=PATH_MAX_LENGTH)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the body.")
    status = models.CharField(
        max_length=11, choices=Status.choices, default=Status.IN_PROGRESS
    )
    # Changes with every claim, so a request whose claim was taken over after its
    # lock expired can no longer complete or release the new owner's row.
    claim_token = models.UUIDField(default=uuid.uuid4)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "method", "path", "key"],
                name="idempotency_key_unique_per_scope",
            ),
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.key!r} ({self.status})"
