"""Saga definitions: retry delays, and the rules a definition must follow."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from sagas.definition import RetryPolicy, Saga, Step


@dataclass
class Empty:
    pass


def _noop(ctx) -> None:
    pass


def test_delays_grow_by_the_multiplier_up_to_the_cap_within_the_jitter():
    policy = RetryPolicy(base_delay=0.2, multiplier=2.0, max_delay=1.0, jitter=0.2)
    rng = random.Random(1)

    delays = [policy.delay(attempt, rng) for attempt in range(1, 7)]

    for delay, nominal in zip(delays, [0.2, 0.4, 0.8, 1.0, 1.0, 1.0], strict=True):
        assert nominal * 0.8 <= delay <= min(nominal * 1.2, 1.0)


def test_without_jitter_the_delays_are_exact():
    policy = RetryPolicy(base_delay=0.5, multiplier=3.0, max_delay=4.0, jitter=0)

    assert [policy.delay(n, random.Random()) for n in (1, 2, 3)] == [0.5, 1.5, 4.0]


def test_steps_after_the_pivot_must_be_retriable_only():
    with pytest.raises(ValueError, match="after the pivot"):
        Saga("bad", [Step("a", _noop), Step("b", _noop)], Empty, pivot="a")


def test_step_names_are_unique():
    with pytest.raises(ValueError, match="unique"):
        Saga("bad", [Step("a", _noop), Step("a", _noop)], Empty)


def test_a_retriable_only_step_has_no_compensation():
    with pytest.raises(ValueError, match="no undo"):
        Step("a", _noop, _noop, retriable_only=True)


def test_the_state_must_be_a_dataclass():
    with pytest.raises(TypeError, match="dataclass"):
        Saga("bad", [Step("a", _noop)], dict)


def test_the_state_survives_a_round_trip_through_json():
    @dataclass
    class Nested:
        ids: list
        meta: dict

    saga = Saga("round-trip", [Step("a", _noop)], Nested)
    state = Nested(ids=[1, 2], meta={"a": {"b": None}})

    assert saga.state_load(saga.state_dump(state)) == state
