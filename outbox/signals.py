"""Signals the outbox sends so that metrics can count without the outbox knowing."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after every webhook delivery attempt with ``outcome`` ("delivered",
# "failed": will retry, or "dead": gave up) and ``delivery`` (a WebhookDelivery).
webhook_delivered = Signal()
