"""The outbox's recurring django-q2 schedule, registered after every migrate."""

from __future__ import annotations

from typing import Any

from outbox.services import RELAY_TASK
from scheduling.schedules import schedule_register

SCHEDULE_NAME = "outbox.relay"


def relay_schedule_register(*, using: str = "default", **kwargs: Any) -> None:
    """Schedule the outbox relay every minute (a ``post_migrate`` receiver).

    The relay is also triggered after each commit; this catches what a trigger
    missed.
    """
    from django_q.models import Schedule  # the app registry must be ready

    schedule_register(
        name=SCHEDULE_NAME,
        func=RELAY_TASK,
        using=using,
        schedule_type=Schedule.MINUTES,
        minutes=1,
    )
