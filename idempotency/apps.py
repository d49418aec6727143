"""Idempotency-Key middleware and the store of keys and saved responses."""

from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "idempotency"
    verbose_name = "Idempotency keys"
