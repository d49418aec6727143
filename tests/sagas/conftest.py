"""Saga test fixtures: a toy external system, and a clock that never waits."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from sagas.clock import Clock, use_clock
from sagas.exceptions import CompensationError
from sagas.models import SagaRun
from sagas.services import saga_start
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


@pytest.fixture
def stuck_refund(service, state) -> SagaRun:
    """Shipping failed, and the refund kept failing: the run needs review.

    (The admin tests keep a variant with its own operation id, beside others.)
    """
    service.fail("ship", "error")
    service.fail("refund", "error")
    with pytest.raises(CompensationError):
        saga_start(saga="toy-order", operation_id="op-1", state=state)
    return SagaRun.objects.get()
