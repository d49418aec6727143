"""Idempotency-Key middleware and the store of keys and saved responses."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IdempotencyConfig(AppConfig):
    name = "idempotency"
    verbose_name = "Idempotency keys"

    def ready(self) -> None:
        from idempotency.schedules import purge_schedule_register

        post_migrate.connect(
            purge_schedule_register, sender=self, dispatch_uid="idempotency.schedules"
        )
