"""The saga engine's recurring django-q2 schedule, registered after every migrate."""

from __future__ import annotations

from typing import Any

from django.db import connections

SCHEDULE_NAME = "sagas.recover"


def recovery_schedule_register(*, using: str = "default", **kwargs: Any) -> None:
    """Create or update the schedule that runs the recovery sweeper every minute.

    Connected to ``post_migrate``; idempotent (keyed by name).
    """
    from django_q.models import Schedule  # the app registry must be ready

    # A partial migrate may run before django_q's tables exist; the full migrate
    # that follows registers the schedule.
    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    Schedule.objects.using(using).update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "sagas.tasks.recover_sagas",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
