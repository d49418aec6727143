"""The relay's every-minute schedule, registered by post_migrate."""

from __future__ import annotations

import pytest
from django_q.models import Schedule

from outbox.schedules import SCHEDULE_NAME, relay_schedule_register

pytestmark = pytest.mark.django_db


def test_migrate_registers_the_relay_schedule_every_minute():
    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "outbox.tasks.relay_outbox",
        Schedule.MINUTES,
        1,
    )
    assert schedule.repeats == -1


def test_registering_again_keeps_one_schedule_and_its_next_run():
    before = Schedule.objects.get(name=SCHEDULE_NAME)
    Schedule.objects.filter(pk=before.pk).update(minutes=5)
    relay_schedule_register()
    after = Schedule.objects.get(name=SCHEDULE_NAME)
    assert (after.pk, after.minutes, after.next_run) == (before.pk, 1, before.next_run)
