"""The key store's recurring django-q2 schedule, registered after every migrate."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django_q.models import Schedule

SCHEDULE_NAME = "idempotency.purge"


def purge_schedule_register(*, using: str = "default", **kwargs: Any) -> None:
    """Create or update the schedule that purges expired keys every hour.

    Connected to ``post_migrate``: idempotent (keyed by name), and it leaves the
    next run time of an existing schedule alone.
    """
    # A partial migrate may run before django_q's tables exist; the full migrate
    # that follows registers the schedule.
    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    Schedule.objects.using(using).update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "idempotency.tasks.idempotency_keys_purge",
            "schedule_type": Schedule.HOURLY,
            "repeats": -1,
        },
    )
