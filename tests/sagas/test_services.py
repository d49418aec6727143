"""Starting, recording and cancelling runs: one run per operation, cancel pre-pivot."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from sagas.definition import Saga, Step
from sagas.exceptions import SagaNotCancellable
from sagas.models import SagaRun
from sagas.registry import register
from sagas.services import saga_cancel, saga_record, saga_start
from tests.sagas.toys import OrderState, SimulatedCrash, ToyService, step_statuses

LEASE = 30
ENTERED, GATE = threading.Event(), threading.Event()


def _gated(ctx) -> None:
    """Do the effect, then wait until the test opens the gate."""
    ToyService(ctx.state.service).call("wait", ctx.idempotency_key)
    ENTERED.set()
    GATE.wait(timeout=30)


def _effect(point):
    return lambda ctx: ToyService(ctx.state.service).call(point, ctx.idempotency_key)


TOY_GATED = register(
    Saga(
        "toy-gated",
        [
            Step("first", _effect("first"), _effect("unfirst")),
            Step("wait", _gated, _effect("unwait")),
            Step("last", _effect("last"), _effect("unlast")),
        ],
        OrderState,
    )
)


@pytest.mark.django_db
def test_starting_an_operation_twice_returns_the_first_run(service, state):
    """The second start finds the run by operation_id and runs nothing."""
    first = saga_start(saga="toy-order", operation_id="op-1", state=state).run
    second = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert second.pk == first.pk
    assert SagaRun.objects.count() == 1
    assert service.calls("charge") == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_of_one_operation_make_one_run(service, state):
    """Two threads start the same operation: the unique operation_id lets one win."""
    barrier, runs = threading.Barrier(2), []

    def start() -> None:
        try:
            barrier.wait(timeout=10)
            runs.append(saga_start(saga="toy-order", operation_id="op-1", state=state))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len({result.run.pk for result in runs}) == 1
    assert SagaRun.objects.get().status == SagaRun.Status.COMPLETED
    assert service.calls("charge") == 1


@pytest.mark.django_db(transaction=True)
def test_executing_inside_a_transaction_is_refused(state):
    """Bookkeeping must commit before each action: no enclosing transaction."""
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        saga_start(saga="toy-order", operation_id="op-1", state=state)


@pytest.mark.django_db(transaction=True)
def test_recording_a_run_for_later_joins_the_callers_transaction(state):
    """execute=False inside a transaction that rolls back leaves no run."""
    with pytest.raises(ValueError), transaction.atomic():
        saga_start(saga="toy-order", operation_id="op-1", state=state, execute=False)
        raise ValueError("the order could not be stored")

    assert not SagaRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_claimed_run_commits_with_the_callers_rows_and_runs_after(service, state):
    """Recorded in the caller's transaction, executed after it: nothing ran inside."""
    with transaction.atomic():
        new = saga_record(
            saga="toy-order", operation_id="op-1", state=state, claim=True
        )
        assert service.points() == []

    run = new.execute().run

    assert run.status == SagaRun.Status.COMPLETED
    assert service.points() == ["reserve", "charge", "pack", "ship", "hook-completed"]
    # The rows the runner kept are the stored ones: no query needed to report.
    assert {row.name: row.status for row in run.step_rows} == step_statuses(run)


@pytest.mark.django_db(transaction=True)
def test_a_claimed_run_rolled_back_with_the_caller_leaves_nothing(service, state):
    with pytest.raises(ValueError), transaction.atomic():
        saga_record(saga="toy-order", operation_id="op-1", state=state, claim=True)
        raise ValueError("the order could not be stored")

    assert not SagaRun.objects.exists()
    assert service.points() == []


@pytest.mark.django_db(transaction=True)
def test_a_run_recorded_for_a_worker_cannot_be_executed_here(state):
    with transaction.atomic():
        new = saga_record(saga="toy-order", operation_id="op-1", state=state)

    with pytest.raises(RuntimeError, match="worker"):
        new.execute()

    assert SagaRun.objects.get().lease_owner == ""


@pytest.mark.django_db
def test_a_state_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match="OrderState"):
        saga_start(saga="toy-order", operation_id="op-1", state={"service": "x"})


@pytest.mark.django_db
def test_cancelling_an_abandoned_run_compensates_it_now(service, state, clock):
    """Nobody holds the lease: the caller finishes the step under way, then undoes."""
    service.fail("pack", "crash")
    with pytest.raises(SimulatedCrash):
        saga_start(saga="toy-order", operation_id="op-1", state=state)
    clock.advance(LEASE + 1)

    run = saga_cancel(saga="toy-order", operation_id="op-1", actor="alice")

    assert run.status == SagaRun.Status.COMPENSATED
    assert run.error_code == SagaRun.Reason.CANCELLED
    assert step_statuses(run)["ship"] == "pending"
    assert service.points()[-4:] == ["unpack", "refund", "release", "hook-compensated"]


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_run_a_worker_holds_stops_it_before_its_next_step(service, state):
    """The worker sees the flag after its current step, and compensates."""
    ENTERED.clear()
    GATE.clear()
    outcome = []

    def work() -> None:
        try:
            outcome.append(
                saga_start(saga="toy-gated", operation_id="op-1", state=state)
            )
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    assert ENTERED.wait(timeout=30)
    flagged = saga_cancel(saga="toy-gated", operation_id="op-1", actor="alice")
    GATE.set()
    worker.join(timeout=60)

    assert (flagged.status, flagged.cancel_requested) == ("running", True)
    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.COMPENSATED
    assert step_statuses(run)["last"] == "pending"
    assert service.points() == ["first", "wait", "unwait", "unfirst"]
    assert outcome[0].status == SagaRun.Status.COMPENSATED


@pytest.mark.django_db
def test_a_run_past_its_pivot_cannot_be_cancelled(service, state, clock):
    service.fail("email", "crash")
    with pytest.raises(SimulatedCrash):
        saga_start(saga="toy-pivot", operation_id="op-1", state=state)
    clock.advance(LEASE + 1)

    with pytest.raises(SagaNotCancellable):
        saga_cancel(saga="toy-pivot", operation_id="op-1", actor="alice")

    run = SagaRun.objects.get()
    assert (run.status, run.cancel_requested) == ("running", False)


@pytest.mark.django_db
def test_a_completed_run_cannot_be_cancelled(state):
    saga_start(saga="toy-order", operation_id="op-1", state=state)

    with pytest.raises(SagaNotCancellable):
        saga_cancel(saga="toy-order", operation_id="op-1", actor="alice")


@pytest.mark.django_db
def test_cancelling_a_compensated_run_returns_it_unchanged(service, state):
    saga_start(saga="toy-order", operation_id="op-1", state=state, execute=False)
    first = saga_cancel(saga="toy-order", operation_id="op-1", actor="alice")

    again = saga_cancel(saga="toy-order", operation_id="op-1", actor="bob")

    assert first.status == again.status == SagaRun.Status.COMPENSATED
    assert again.updated_at == first.updated_at
    assert service.points() == ["hook-compensated"]
