"""The key store's recurring django-q2 schedule, registered after every migrate."""

from __future__ import annotations

from typing import Any

from scheduling.schedules import schedule_register

SCHEDULE_NAME = "idempotency.purge"


def purge_schedule_register(*, using: str = "default", **kwargs: Any) -> None:
    """Schedule the purge of expired keys every hour (a ``post_migrate`` receiver)."""
    from django_q.models import Schedule  # the app registry must be ready

    schedule_register(
        name=SCHEDULE_NAME,
        func="idempotency.tasks.idempotency_keys_purge",
        using=using,
        schedule_type=Schedule.HOURLY,
    )
