"""schedule_register: one schedule per name, and nothing before django_q exists."""

from __future__ import annotations

import pytest
from django.db import connections
from django_q.models import Schedule

from scheduling.schedules import schedule_register

pytestmark = pytest.mark.django_db


def test_a_schedule_is_created_once_and_then_updated_by_name():
    schedule_register(
        name="test.every", func="tests.task", schedule_type=Schedule.MINUTES, minutes=5
    )
    schedule_register(
        name="test.every", func="tests.task", schedule_type=Schedule.MINUTES, minutes=2
    )

    schedule = Schedule.objects.get(name="test.every")
    assert (schedule.func, schedule.minutes, schedule.repeats) == ("tests.task", 2, -1)


def test_a_migrate_before_django_q_has_its_tables_registers_nothing(monkeypatch):
    """A partial migrate runs post_migrate too; it must not fail on a missing table."""
    introspection = connections["default"].introspection
    monkeypatch.setattr(introspection, "table_names", lambda *args, **kwargs: [])

    schedule_register(
        name="test.early", func="tests.task", schedule_type=Schedule.MINUTES, minutes=1
    )

    monkeypatch.undo()
    assert not Schedule.objects.filter(name="test.early").exists()
