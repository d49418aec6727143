"""Crash recovery: a run a dead worker left behind is resumed, not repeated."""

from __future__ import annotations

import io
import multiprocessing
import signal
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections

from sagas import recovery
from sagas.models import SagaRun
from sagas.services import saga_recover, saga_resume, saga_start
from tests.sagas.toys import OrderState, SimulatedCrash, step_row, step_statuses

LEASE = 30


def _start_in_child(state: OrderState) -> None:
    saga_start(saga="toy-order", operation_id="op-1", state=state)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_the_effect_is_recovered_by_reconcile(
    service, state, clock
):
    """SIGKILL right after the charge: the sweeper reconciles, never charges twice."""
    service.fail("charge", "sigkill")
    # A forked child must not share the parent's database connections.
    connections.close_all()
    child = multiprocessing.get_context("fork").Process(
        target=_start_in_child, args=(state,)
    )
    child.start()
    child.join(timeout=60)
    assert child.exitcode == -signal.SIGKILL

    run = SagaRun.objects.get(operation_id="op-1")
    assert run.status == SagaRun.Status.RUNNING
    assert step_statuses(run)["charge"] == "started"
    assert service.effects("charge") == ["toy-order:op-1:charge"]

    clock.advance(LEASE + 1)
    assert saga_recover() == 1

    run.refresh_from_db()
    assert run.status == SagaRun.Status.COMPLETED
    assert set(step_statuses(run).values()) == {"completed"}
    assert service.calls("charge") == 1
    assert service.lookups("charge") == 1
    assert service.effects("charge") == ["toy-order:op-1:charge"]
    assert service.points() == ["reserve", "charge", "pack", "ship", "hook-completed"]


@pytest.mark.django_db
def test_the_sweeper_leaves_a_run_alone_while_its_lease_lasts(service, state, clock):
    """A live lease means a live worker: nothing is resumed before it expires."""
    service.fail("pack", "crash")
    with pytest.raises(SimulatedCrash):
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    assert saga_recover() == 0
    assert step_statuses(SagaRun.objects.get())["pack"] == "started"


@pytest.mark.django_db
def test_an_idempotent_step_found_started_is_repeated_with_its_key(
    service, state, clock
):
    """Packing was under way when the worker died: repeated, packed once."""
    service.fail("pack", "crash")
    with pytest.raises(SimulatedCrash):
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    clock.advance(LEASE + 1)
    assert saga_recover() == 1

    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.COMPLETED
    assert service.calls("pack") == 2
    assert service.effects("pack") == ["toy-order:op-1:pack"]
    assert step_row(run, "pack").attempts == 2


@pytest.mark.django_db
def test_a_step_found_started_that_nobody_can_settle_stops_for_review(
    service, state, clock
):
    """Shipping was under way when the worker died; shipping is not repeatable."""
    service.fail("ship", "crash")
    with pytest.raises(SimulatedCrash):
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    clock.advance(LEASE + 1)
    assert saga_recover() == 1

    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.NEEDS_REVIEW
    assert run.error_code == SagaRun.Reason.OUTCOME_UNKNOWN
    assert step_statuses(run)["ship"] == "unknown"
    assert service.calls("ship") == 1


@pytest.mark.django_db
def test_a_worker_dying_during_a_compensation_is_resumed_backward(
    service, state, clock
):
    """The refund happened, then the worker died: resumed, refunded once, undone."""
    service.fail("ship", "error")
    service.fail("refund", "crash")
    with pytest.raises(SimulatedCrash):
        saga_start(saga="toy-order", operation_id="op-1", state=state)
    assert SagaRun.objects.get().status == SagaRun.Status.COMPENSATING

    clock.advance(LEASE + 1)
    assert saga_recover() == 1

    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.COMPENSATED
    assert service.calls("refund") == 2
    assert service.effects("refund") == ["toy-order:op-1:charge"]
    assert service.points()[-3:] == ["refund", "release", "hook-compensated"]


@pytest.mark.django_db
def test_the_recover_command_prints_how_many_runs_it_resumed(service, state, clock):
    service.fail("pack", "crash")
    with pytest.raises(SimulatedCrash):
        saga_start(saga="toy-order", operation_id="op-1", state=state)
    clock.advance(LEASE + 1)
    out = io.StringIO()

    call_command("saga_recover", stdout=out)

    assert out.getvalue().strip() == "Resumed 1 saga run(s)."
    assert SagaRun.objects.get().status == SagaRun.Status.COMPLETED


def _in_threads(count: int, target) -> list:
    """Run ``target`` in ``count`` threads released together; return results."""
    barrier, results, errors = threading.Barrier(count), [], []

    def body() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_workers_resuming_one_run_run_each_action_once(service, state):
    """Both ask for the lease; one advances the run, the other leaves it alone."""
    service.fail("reserve", "hang:0.3")  # the loser arrives while the winner works
    run = saga_start(
        saga="toy-order", operation_id="op-1", state=state, execute=False
    ).run

    results = _in_threads(2, lambda: saga_resume(run_id=run.pk).status)

    assert sorted(results) == ["completed", "running"]
    for point in ("reserve", "charge", "pack", "ship", "hook-completed"):
        assert service.calls(point) == 1
    assert SagaRun.objects.get().status == SagaRun.Status.COMPLETED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_workers_racing_for_one_run_advance_it_once(service, state):
    """Eight workers at once, row locks and all: each action still runs once."""
    service.fail("charge", "hang:0.3")
    run = saga_start(
        saga="toy-order", operation_id="op-1", state=state, execute=False
    ).run

    results = _in_threads(8, lambda: saga_resume(run_id=run.pk).status)

    assert results.count("completed") == 1
    for point in ("reserve", "charge", "pack", "ship", "hook-completed"):
        assert service.calls(point) == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_resume_each_abandoned_run_exactly_once(service, state, clock):
    """Claims never overlap (SKIP LOCKED on PostgreSQL, the write lock on SQLite)."""
    for number in range(6):
        saga_start(
            saga="toy-order", operation_id=f"op-{number}", state=state, execute=False
        )
    clock.advance(LEASE + 1)

    results = _in_threads(2, saga_recover)

    assert sum(results) == 6
    assert set(SagaRun.objects.values_list("status", flat=True)) == {"completed"}
    assert len(service.effects("charge")) == 6
    assert service.calls("charge") == 6


@pytest.mark.django_db
def test_each_claim_of_a_sweep_reads_the_clock(service, state, clock, monkeypatch):
    """A run claimed after a long resume gets a lease from then, not from the start."""
    for operation_id in ("op-1", "op-2"):
        service.fail("pack", "crash")
        with pytest.raises(SimulatedCrash):
            saga_start(saga="toy-order", operation_id=operation_id, state=state)
    clock.advance(LEASE + 1)
    claimed_at = []

    def claim(*, owner, now):
        claimed_at.append(now)
        clock.advance(2 * LEASE)  # the resume that follows takes a long time
        return real_claim(owner=owner, now=now)

    real_claim = recovery.lease_claim_expired
    monkeypatch.setattr(recovery, "lease_claim_expired", claim)

    assert saga_recover() == 2

    assert claimed_at[1] - claimed_at[0] >= timedelta(seconds=2 * LEASE)
    statuses = SagaRun.objects.values_list("status", flat=True)
    assert set(statuses) == {SagaRun.Status.COMPLETED}
