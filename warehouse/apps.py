"""Stock, reservations (the semantic lock) and the movements that audit stock."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate

SCHEDULE_NAME = "warehouse.release_expired"


def schedule_register(**kwargs) -> None:
    """Register the every-minute sweep of expired holds (idempotent)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "warehouse.tasks.release_expired_holds",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )


class WarehouseConfig(AppConfig):
    name = "warehouse"
    verbose_name = "Warehouse"

    def ready(self) -> None:
        post_migrate.connect(schedule_register, sender=self)
