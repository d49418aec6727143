"""The saga engine's sweeper, scheduled every minute with django-q2 after migrate.

The engine leaves scheduling to the project (it runs under any task runner):
here the checkout's home wires ``sagas.tasks.recover_sagas`` into django-q2.
"""

from __future__ import annotations

from typing import Any

from scheduling.schedules import schedule_register

SCHEDULE_NAME = "sagas.recover"


def recovery_schedule_register(*, using: str = "default", **kwargs: Any) -> None:
    """Schedule the recovery sweeper every minute (a ``post_migrate`` receiver)."""
    from django_q.models import Schedule  # the app registry must be ready

    schedule_register(
        name=SCHEDULE_NAME,
        func="sagas.tasks.recover_sagas",
        using=using,
        schedule_type=Schedule.MINUTES,
        minutes=1,
    )
