"""The trip saga through the engine's public API only."""

from __future__ import annotations

import multiprocessing
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from trips.models import Booking
from trips.saga import TripState

from sagas.api import (
    CompensationError,
    RunStatus,
    StepStatus,
    run_for,
    saga_recover,
    saga_start,
)

pytestmark = pytest.mark.django_db(transaction=True)


def booked(supplier: str) -> list[Booking]:
    return list(Booking.objects.filter(supplier=supplier))


def test_a_trip_books_the_car_the_hotel_and_the_flight():
    result = saga_start(saga="trip", operation_id="trip-1", state=TripState("ada"))

    assert result.completed
    state = result.run.state
    assert [state[s].split("-")[0] for s in ("car", "hotel", "flight")] == [
        "car",
        "hotel",
        "flight",
    ]
    assert [len(booked(s)) for s in ("car", "hotel", "flight")] == [1, 1, 1]


def test_the_flight_fails_so_the_hotel_then_the_car_are_cancelled(fault):
    fault("flight", "refuse")

    result = saga_start(saga="trip", operation_id="trip-1", state=TripState("ada"))

    assert (result.status, result.failed_step, result.error_code) == (
        RunStatus.COMPENSATED,
        "book-flight",
        "sold_out",
    )
    assert [b.cancelled for b in booked("car") + booked("hotel")] == [True, True]
    assert booked("flight") == []
    timeline = [event["kind"] for event in result.run.timeline]
    compensated = [
        event["step"] for event in result.run.timeline if event["kind"] == "compensated"
    ]
    assert "compensation_started" in timeline
    assert compensated == ["book-hotel", "book-car"]


def test_a_worker_killed_after_booking_the_hotel_is_recovered_without_a_second_booking(
    fault,
):
    fault("hotel", "crash")
    connections.close_all()  # the child opens its own connection
    child = multiprocessing.get_context("fork").Process(target=_start_trip)
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    run = run_for(saga="trip", operation_id="trip-1")
    assert {row.name: row.status for row in run.step_rows}["book-hotel"] == (
        StepStatus.STARTED
    )

    assert saga_recover(now=timezone.now() + timedelta(hours=1)) == 1

    run = run_for(saga="trip", operation_id="trip-1")
    assert run.status == RunStatus.COMPLETED
    assert [len(booked(s)) for s in ("car", "hotel", "flight")] == [1, 1, 1]
    assert run.state["hotel"] == booked("hotel")[0].reference


def test_a_cancellation_that_keeps_failing_stops_the_trip_for_review(fault):
    fault("flight", "refuse")
    fault("hotel", "cancel_down")

    with pytest.raises(CompensationError) as stuck:
        saga_start(saga="trip", operation_id="trip-1", state=TripState("ada"))

    run = stuck.value.run
    assert run.status == RunStatus.NEEDS_REVIEW
    statuses = {row.name: row.status for row in run.step_rows}
    # Undone last first, and stopped at the one that keeps failing: the car,
    # booked before it, waits for the person too.
    assert (statuses["book-hotel"], statuses["book-car"]) == (
        StepStatus.NEEDS_REVIEW,
        StepStatus.COMPLETED,
    )
    assert [b.cancelled for b in booked("car")] == [False]


def test_the_recovery_plan_is_drawn_for_the_trip(capsys):
    call_command("saga_plan", "trip")

    plan = capsys.readouterr().out
    assert "# Recovery plan: `trip`" in plan
    assert "`book-hotel`" in plan and "lookup_hotel" in plan


def _start_trip() -> None:
    try:
        saga_start(saga="trip", operation_id="trip-1", state=TripState("ada"))
    finally:
        connections.close_all()
