"""django-q2 schedules of the key store."""

from __future__ import annotations

import pytest
from django_q.models import Schedule

from idempotency.schedules import SCHEDULE_NAME, purge_schedule_register

pytestmark = pytest.mark.django_db


def test_migrate_registers_the_hourly_purge():
    """After migrate the purge task is scheduled every hour, forever."""
    schedule = Schedule.objects.get(name=SCHEDULE_NAME)

    assert schedule.func == "idempotency.tasks.idempotency_keys_purge"
    assert schedule.schedule_type == Schedule.HOURLY
    assert schedule.repeats == -1


def test_registering_again_keeps_one_schedule():
    """Every migrate re-registers; the schedule is updated, not duplicated."""
    Schedule.objects.filter(name=SCHEDULE_NAME).update(func="stale")

    purge_schedule_register(using="default")

    assert Schedule.objects.get(name=SCHEDULE_NAME).func == (
        "idempotency.tasks.idempotency_keys_purge"
    )
