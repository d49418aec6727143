"""Fixtures of the trip tests: retries that do not wait, faults to plan."""

from __future__ import annotations

import pytest
from trips.models import Fault

from sagas.api import Clock, use_clock


@pytest.fixture(autouse=True)
def no_waiting():
    with use_clock(Clock.without_sleep()) as clock:
        yield clock


@pytest.fixture
def fault():
    """Return a function that tells a supplier to misbehave."""

    def plan(supplier: str, mode: str) -> None:
        Fault.objects.update_or_create(supplier=supplier, defaults={"mode": mode})

    return plan
