"""Saga test fixtures: a toy external system, and a clock that never waits."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from sagas.clock import Clock, use_clock
from tests.sagas.toys import OrderState, ToyService


class RecordingClock(Clock):
    """A clock whose sleeps return at once and are recorded; time can jump."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.offset = timedelta()
        super().__init__(sleep=self.delays.append, rng=random.Random(7))

    def now(self) -> datetime:
        return timezone.now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def clock():
    """Every test's runs use a clock that records retry delays instead of sleeping."""
    with use_clock(RecordingClock()) as recording:
        yield recording


@pytest.fixture
def service(tmp_path) -> ToyService:
    """The toy external systems, healthy until a test breaks them."""
    return ToyService(tmp_path / "service")


@pytest.fixture
def state(service) -> OrderState:
    """A fresh toy order state pointing at the toy systems."""
    return OrderState(service=str(service.root))
