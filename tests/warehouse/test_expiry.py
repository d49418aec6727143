"""stock_release_expired() and its schedule: the locks of dead sagas go away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from warehouse.models import Reservation
from warehouse.services import stock_confirm, stock_hold, stock_release_expired
from warehouse.tasks import release_expired_holds

pytestmark = pytest.mark.django_db


def status(operation_id: str) -> str:
    return Reservation.objects.get(operation_id=operation_id).status


def test_stock_release_expired_releases_pending_holds_past_their_expiry(stock, item):
    stock(A=5)
    stock_hold(operation_id="dead", lines=[("A", 2)], ttl_seconds=60)
    released = stock_release_expired(now=timezone.now() + timedelta(seconds=61))
    assert released == 1
    assert status("dead") == "released"
    assert item("A").reserved == 0


def test_stock_release_expired_keeps_holds_that_have_not_expired(stock, item):
    stock(A=5)
    stock_hold(operation_id="alive", lines=[("A", 2)], ttl_seconds=60)
    assert stock_release_expired(now=timezone.now() + timedelta(seconds=30)) == 0
    assert status("alive") == "pending"
    assert item("A").reserved == 2


def test_stock_release_expired_keeps_confirmed_holds(stock, item):
    stock(A=5)
    stock_hold(operation_id="sold", lines=[("A", 2)], ttl_seconds=60)
    stock_confirm(operation_id="sold")
    assert stock_release_expired(now=timezone.now() + timedelta(hours=1)) == 0
    assert status("sold") == "confirmed"
    assert item("A").reserved == 2


def test_stock_hold_uses_the_ttl_setting_read_at_call_time(stock, settings):
    stock(A=5)
    settings.STOCK_HOLD_TTL_SECONDS = 0
    stock_hold(operation_id="instant", lines=[("A", 1)])
    assert stock_release_expired(now=timezone.now() + timedelta(seconds=1)) == 1


def test_release_expired_holds_task_runs_the_sweep(stock, settings):
    stock(A=5)
    settings.STOCK_HOLD_TTL_SECONDS = -1
    stock_hold(operation_id="dead", lines=[("A", 1)])
    assert release_expired_holds() == 1
    assert status("dead") == "released"


def test_the_sweep_is_scheduled_every_minute_after_migrate():
    schedule = Schedule.objects.get(name="warehouse.release_expired")
    assert schedule.func == "warehouse.tasks.release_expired_holds"
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 1)
