"""Unknown outcomes: reconcile, repeat with the same key, or stop for a person."""

from __future__ import annotations

import pytest

from outbox.models import OutboxMessage
from sagas.exceptions import NeedsReview, OutcomeUnknown
from sagas.models import SagaRun
from sagas.services import saga_start
from tests.sagas.toys import step_statuses

pytestmark = pytest.mark.django_db


def test_a_timeout_whose_effect_happened_is_reconciled_not_repeated(service, state):
    """The charge went through but its answer was lost: reconcile sees it."""
    service.fail("charge", "timeout")

    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert service.calls("charge") == 1
    assert service.lookups("charge") == 1
    assert service.effects("charge") == ["toy-order:op-1:charge"]
    assert run.state["charge_id"] == "found-by-reconcile"


def test_a_timeout_that_did_nothing_is_retried_with_the_same_key(service, state):
    """Reconcile sees no charge: the retry uses the same idempotency key."""
    service.fail("charge", "stall")

    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert service.calls("charge") == 2
    assert service.call_keys("charge") == {"toy-order:op-1:charge"}
    assert service.effects("charge") == ["toy-order:op-1:charge"]


def test_an_idempotent_step_without_reconcile_is_repeated_with_the_same_key(
    service, state
):
    """Packing timed out; repeating it with its key cannot pack twice."""
    service.fail("pack", "timeout")

    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert service.calls("pack") == 2
    assert service.call_keys("pack") == {"toy-order:op-1:pack"}
    assert service.effects("pack") == ["toy-order:op-1:pack"]


def test_an_idempotent_step_still_unknown_after_its_last_attempt_stops_for_review(
    service, state
):
    """Every packing attempt times out: it may have happened, so nothing is undone."""
    service.fail("pack", "timeouts")

    with pytest.raises(OutcomeUnknown):
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    run = SagaRun.objects.get()
    assert service.calls("pack") == 3
    assert step_statuses(run)["pack"] == "unknown"
    assert run.status == SagaRun.Status.NEEDS_REVIEW
    assert service.points() == ["reserve", "charge", "pack"]


def test_a_step_neither_reconcilable_nor_idempotent_stops_for_review(service, state):
    """Shipping timed out and nobody can tell: no retry, no undo, a person decides."""
    service.fail("ship", "timeout")

    with pytest.raises(OutcomeUnknown) as raised:
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.NEEDS_REVIEW
    assert run.error_code == SagaRun.Reason.OUTCOME_UNKNOWN
    assert step_statuses(run)["ship"] == "unknown"
    assert service.calls("ship") == 1
    assert service.points() == ["reserve", "charge", "pack", "ship"]
    assert raised.value.step == "ship"
    assert OutboxMessage.objects.filter(event_type="saga.needs_review").count() == 1


def test_a_reconcile_that_cannot_answer_stops_for_review(service, state):
    """The charge timed out and the lookup fails too: unknown, needs review."""
    service.fail("charge", "timeout")
    service.fail("lookup:charge", "error")

    with pytest.raises(OutcomeUnknown):
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    assert step_statuses(SagaRun.objects.get())["charge"] == "unknown"


@pytest.mark.django_db(transaction=True)
def test_an_attempt_past_its_timeout_is_settled_by_reconcile(service, state):
    """The call hangs past the step's timeout: the runner stops waiting and asks."""
    service.fail("charge", "hang:1")

    run = saga_start(saga="toy-slow", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert service.calls("charge") == 1
    assert service.lookups("charge") == 1
    assert run.state["charge_id"] == "found-by-reconcile"


def test_a_best_effort_step_that_keeps_failing_is_recorded_and_the_run_completes(
    service, state
):
    """The e-mail never goes out: recorded failed, never undone, run completed."""
    service.fail("email", "error")

    run = saga_start(saga="toy-pivot", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert step_statuses(run)["email"] == "failed"
    assert service.calls("email") == 3
    assert service.points() == ["charge", "ship", "receipt"]


def test_a_best_effort_step_whose_outcome_stays_unknown_does_not_hold_the_run(
    service, state
):
    """Nobody can tell whether the e-mail went out: recorded, and the run goes on."""
    service.fail("email", "timeout")

    run = saga_start(saga="toy-pivot", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert step_statuses(run)["email"] == "unknown"
    assert service.points() == ["charge", "ship", "email", "receipt"]


def test_a_retriable_only_step_that_keeps_failing_stops_for_review(service, state):
    """After the pivot nothing is undone: a failing receipt needs a person."""
    service.fail("receipt", "error")

    with pytest.raises(NeedsReview):
        saga_start(saga="toy-pivot", operation_id="op-1", state=state)

    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.NEEDS_REVIEW
    assert run.error_code == SagaRun.Reason.STEP_EXHAUSTED
    assert step_statuses(run)["receipt"] == "failed"
    assert service.points() == ["charge", "ship", "email"]
