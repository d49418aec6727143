"""The outbox's recurring django-q2 schedule, registered after every migrate."""

from __future__ import annotations

from typing import Any

from django.db import connections

from outbox.services import RELAY_TASK

SCHEDULE_NAME = "outbox.relay"


def relay_schedule_register(*, using: str = "default", **kwargs: Any) -> None:
    """Create or update the schedule that relays the outbox every minute.

    Connected to ``post_migrate``: idempotent (keyed by name), and it leaves the
    next run time of an existing schedule alone.
    """
    from django_q.models import Schedule  # the app registry must be ready

    # A partial migrate (``migrate outbox`` on an empty database) may run before
    # django_q's tables exist; the full migrate that follows registers it.
    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    Schedule.objects.using(using).update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": RELAY_TASK,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
