"""The warehouse's recurring django-q2 schedule, registered after every migrate."""

from __future__ import annotations

from typing import Any

from scheduling.schedules import schedule_register

SCHEDULE_NAME = "warehouse.release_expired"


def expiry_schedule_register(*, using: str = "default", **kwargs: Any) -> None:
    """Schedule the release of expired holds every minute (``post_migrate``)."""
    from django_q.models import Schedule  # the app registry must be ready

    schedule_register(
        name=SCHEDULE_NAME,
        func="warehouse.tasks.release_expired_holds",
        using=using,
        schedule_type=Schedule.MINUTES,
        minutes=1,
    )
