"""The recovery sweeper is scheduled every minute, once, by name."""

from __future__ import annotations

import pytest
from django_q.models import Schedule

from orders.schedules import SCHEDULE_NAME, recovery_schedule_register

pytestmark = pytest.mark.django_db


def test_the_recovery_schedule_is_registered_once_however_often_migrate_runs():
    recovery_schedule_register()
    recovery_schedule_register()

    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "sagas.tasks.recover_sagas",
        Schedule.MINUTES,
        1,
    )
