"""sagas/selectors.py: the queue's order and what a reviewer can do with a run."""

from __future__ import annotations

import pytest

from sagas.exceptions import CompensationError, OutcomeUnknown
from sagas.models import SagaRun
from sagas.selectors import run_review_choices, run_review_queue, run_saved_fields
from sagas.services import saga_start

pytestmark = pytest.mark.django_db


def start_expecting(error, *, state, operation_id="op-1") -> SagaRun:
    with pytest.raises(error):
        saga_start(saga="toy-order", operation_id=operation_id, state=state)
    return SagaRun.objects.get(operation_id=operation_id)


def choices(run: SagaRun):
    return run_review_choices(run=run, steps=run.step_rows)


def test_a_stuck_compensation_can_be_retried_or_resolved(service, state):
    service.fail("ship", "error")
    service.fail("refund", "error")
    run = start_expecting(CompensationError, state=state)

    found = choices(run)

    assert found.retry_compensations
    assert (found.retry_steps, found.resolve_steps) == (["charge"], ["charge"])


def test_an_unknown_step_can_be_retried_or_resolved_but_not_undone(service, state):
    service.fail("ship", "timeout")
    run = start_expecting(OutcomeUnknown, state=state)

    found = choices(run)

    assert not found.retry_compensations
    assert (found.retry_steps, found.resolve_steps) == (["ship"], ["ship"])


def test_a_failed_on_compensated_hook_can_be_retried_but_not_resolved(service, state):
    service.fail("ship", "error")
    service.fail("hook-compensated", "error")
    run = start_expecting(CompensationError, state=state)

    found = choices(run)

    assert found.retry_compensations
    assert (found.retry_steps, found.resolve_steps) == (["on_compensated"], [])


def test_a_finished_run_offers_nothing(state):
    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert not choices(run).any


def test_the_queue_lists_runs_needing_review_first(service, state, tmp_path):
    service.fail("ship", "error")
    service.fail("refund", "error")
    start_expecting(CompensationError, state=state, operation_id="op-old")
    service.heal("ship")
    saga_start(saga="toy-order", operation_id="op-new", state=state)

    assert [run.operation_id for run in run_review_queue()] == ["op-old", "op-new"]


def test_saved_fields_name_the_step_that_records_them(state):
    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert run_saved_fields(run=run) == {
        "reservation_id": "reserve",
        "charge_id": "charge",
    }
