"""Retry delays: doubling from the base, capped, jittered without shrinking."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from outbox.backoff import JITTER, retry_delay


class FixedRandom(random.Random):
    """A random source that always draws the same number."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


NO_CUT, FULL_CUT = FixedRandom(0.0), FixedRandom(1.0)


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 2), (2, 4), (3, 8), (4, 16), (9, 512), (10, 600)]
)
def test_the_delay_doubles_from_the_base_up_to_the_cap(attempts, seconds):
    assert retry_delay(attempts, rng=NO_CUT) == timedelta(seconds=seconds)


def test_jitter_cuts_at_most_its_fraction_of_the_delay():
    assert retry_delay(3, rng=FULL_CUT) == timedelta(seconds=8 * (1 - JITTER))


def test_with_the_worst_jitter_a_delay_still_exceeds_the_previous_one():
    for attempts in range(2, 10):
        assert retry_delay(attempts, rng=FULL_CUT) > retry_delay(
            attempts - 1, rng=NO_CUT
        )


def test_real_jitter_stays_within_its_bounds():
    delays = [retry_delay(5) for _ in range(200)]
    assert all(
        timedelta(seconds=32 * (1 - JITTER)) <= d <= timedelta(seconds=32)
        for d in delays
    )


def test_the_settings_are_read_when_the_delay_is_computed(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 1
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 5
    assert [retry_delay(n, rng=NO_CUT).total_seconds() for n in (1, 2, 3, 4)] == [
        1,
        2,
        4,
        5,
    ]
