"""Injected faults at warehouse.hold / confirm / release, mode by mode.

``error`` and ``transient`` strike before any effect; ``timeout`` and ``crash``
after the effect is committed; ``latency`` only delays.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from faults import hooks
from faults.exceptions import InjectedFault
from tests.faults.child_process import run_in_child
from warehouse.models import Reservation, StockItem
from warehouse.services import stock_confirm, stock_hold, stock_release

OP = "op-faults"


def hold() -> None:
    stock_hold(operation_id=OP, lines=[("A", 1)])


def confirm() -> None:
    stock_confirm(operation_id=OP)


def release() -> None:
    stock_release(operation_id=OP)


def state() -> tuple[str | None, int]:
    """Return the operation's hold status and the units reserved."""
    hold_ = Reservation.objects.filter(operation_id=OP).first()
    return (hold_ and hold_.status, StockItem.objects.get(sku="A").reserved)


@dataclass(frozen=True)
class Case:
    point: str
    setup: list[Callable[[], None]]
    call: Callable[[], None]
    before: tuple[str | None, int]
    after: tuple[str | None, int]


CASES = [
    Case("warehouse.hold", [], hold, (None, 0), ("pending", 1)),
    Case("warehouse.confirm", [hold], confirm, ("pending", 1), ("confirmed", 1)),
    Case("warehouse.release", [hold], release, ("pending", 1), ("released", 0)),
]


@pytest.fixture(params=CASES, ids=lambda case: case.point)
def case(request, stock) -> Case:
    """Prepare the operation for the fault point under test."""
    stock(A=5)
    for step in request.param.setup:
        step()
    return request.param


@pytest.fixture
def plan(case, plan_faults) -> Callable[[str], None]:
    """Return a function that plans ``mode`` at the point under test."""
    return lambda mode: plan_faults(OP, {case.point: mode})


@pytest.mark.django_db
def test_error_fails_every_time_and_changes_nothing(case, plan):
    plan("error")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            case.call()
    assert state() == case.before


@pytest.mark.django_db
def test_transient_fails_twice_without_effect_then_works(case, plan):
    plan("transient:2")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            case.call()
        assert state() == case.before
    case.call()
    assert state() == case.after


@pytest.mark.django_db
def test_timeout_applies_the_effect_then_raises_timeout_error(case, plan):
    plan("timeout")
    with pytest.raises(TimeoutError):
        case.call()
    assert state() == case.after
    case.call()
    assert state() == case.after


@pytest.mark.django_db
def test_latency_delays_the_call_which_then_works(case, plan, monkeypatch):
    slept = []
    monkeypatch.setattr(hooks.time, "sleep", slept.append)
    plan("latency:50")
    case.call()
    assert state() == case.after
    assert slept == [0.05]


@pytest.mark.django_db(transaction=True)
def test_crash_commits_the_effect_then_kills_the_worker(case, plan):
    plan("crash")
    assert run_in_child(case.call) == -signal.SIGKILL
    assert state() == case.after
