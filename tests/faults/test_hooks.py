"""fault_before() / fault_after(): each mode strikes where and as often as planned."""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from faults import hooks
from faults.exceptions import InjectedFault, InjectedTimeout, ServiceUnavailable
from faults.hooks import fault_after, fault_before
from faults.models import FaultPlan
from faults.services import fault_plan_set
from tests.faults.child_process import run_in_child

pytestmark = pytest.mark.django_db

OPERATION = "op-hooks"
POINT = "payments.charge"


@pytest.fixture
def plan(fault_injection):
    """Return a function that plans ``mode`` at POINT for OPERATION."""

    def plan(mode: str, point: str = POINT) -> None:
        fault_plan_set(operation_id=OPERATION, plan={point: mode})

    return plan


def failures(call, attempts: int) -> int:
    """Return how many of ``attempts`` calls raised ``InjectedFault``."""
    count = 0
    for _ in range(attempts):
        try:
            call(POINT, OPERATION)
        except InjectedFault:
            count += 1
    return count


def test_hooks_make_no_query_when_fault_injection_is_off(
    settings, django_assert_num_queries
):
    settings.FAULT_INJECTION = False
    FaultPlan.objects.create(operation_id=OPERATION, plan={POINT: "error"})
    with django_assert_num_queries(0):
        fault_before(POINT, OPERATION)
        fault_after(POINT, OPERATION)


@pytest.mark.usefixtures("fault_injection")
def test_hooks_read_once_and_do_nothing_without_a_plan(django_assert_num_queries):
    with django_assert_num_queries(1):
        fault_before(POINT, OPERATION)
    with django_assert_num_queries(1):
        fault_after(POINT, OPERATION)


def test_a_plan_applies_only_to_its_operation_and_point(plan):
    plan("error")
    fault_before(POINT, "another-operation")
    fault_before("payments.refund", OPERATION)
    with pytest.raises(InjectedFault):
        fault_before(POINT, OPERATION)


def test_error_fails_every_time_before_the_effect(plan, django_assert_num_queries):
    plan("error")
    with django_assert_num_queries(1):
        assert failures(fault_before, 1) == 1
    assert failures(fault_before, 4) == 4


def test_an_injected_fault_looks_like_an_unavailable_service(plan):
    plan("error")
    with pytest.raises(ServiceUnavailable) as raised:
        fault_before(POINT, OPERATION)
    assert (raised.value.point, raised.value.mode) == (POINT, "error")


def test_transient_fails_n_times_then_lets_calls_through(plan):
    plan("transient:2")
    assert failures(fault_before, 5) == 2
    assert FaultPlan.objects.get().counters == {POINT: 2}


def test_transient_without_a_count_fails_once(plan):
    plan("transient")
    assert failures(fault_before, 3) == 1


@pytest.mark.django_db(transaction=True)
def test_transient_counts_are_exact_across_connections(plan):
    """Ten threads, each with its own connection, share the three failures."""
    plan("transient:3")
    barrier = threading.Barrier(10)

    def attempt() -> bool:
        barrier.wait(timeout=30)
        try:
            fault_before(POINT, OPERATION)
            return False
        except InjectedFault:
            return True
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = [
            f.result(timeout=60) for f in [pool.submit(attempt) for _ in range(10)]
        ]
    assert outcomes.count(True) == 3
    assert FaultPlan.objects.get().counters == {POINT: 3}


def test_latency_sleeps_then_lets_the_call_through(plan, monkeypatch):
    slept = []
    monkeypatch.setattr(hooks.time, "sleep", slept.append)
    plan("latency:250")
    fault_before(POINT, OPERATION)
    fault_after(POINT, OPERATION)
    assert slept == [0.25]


def test_before_hooks_ignore_timeout_and_crash(plan):
    plan("timeout")
    fault_before(POINT, OPERATION)
    plan("crash")
    fault_before(POINT, OPERATION)
    assert FaultPlan.objects.get().counters == {}


def test_timeout_raises_a_builtin_timeout_error_once_after_the_effect(plan):
    plan("timeout")
    with pytest.raises(TimeoutError) as raised:
        fault_after(POINT, OPERATION)
    assert isinstance(raised.value, InjectedTimeout)
    fault_after(POINT, OPERATION)
    assert FaultPlan.objects.get().counters == {POINT: 1}


def test_after_hooks_ignore_error_transient_and_latency(plan, monkeypatch):
    monkeypatch.setattr(hooks.time, "sleep", lambda seconds: None)
    for mode in ("error", "transient", "latency:10"):
        plan(mode)
        fault_after(POINT, OPERATION)
        # Nothing fired after the effect: these modes act before it.
        assert FaultPlan.objects.get().counters == {}, mode


@pytest.mark.django_db(transaction=True)
def test_crash_kills_the_process_with_sigkill_once(plan):
    plan("crash")
    exit_code = run_in_child(lambda: fault_after(POINT, OPERATION))
    assert exit_code == -signal.SIGKILL
    # The firing was counted before the kill: the restarted worker gets through.
    assert FaultPlan.objects.get().counters == {POINT: 1}
    fault_after(POINT, OPERATION)
