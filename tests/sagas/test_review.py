"""Review actions: a person unblocks a run through the engine's own bookkeeping."""

from __future__ import annotations

import pytest

from sagas.definition import Outcome
from sagas.exceptions import CompensationError, InvalidReviewAction, OutcomeUnknown
from sagas.models import SagaRun
from sagas.services import (
    saga_resolve_step,
    saga_retry_compensations,
    saga_retry_step,
    saga_start,
)
from tests.sagas.toys import step_row, step_statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def unknown_shipment(service, state) -> SagaRun:
    """Shipping timed out and nobody can tell whether it happened."""
    service.fail("ship", "timeout")
    with pytest.raises(OutcomeUnknown):
        saga_start(saga="toy-order", operation_id="op-1", state=state)
    return SagaRun.objects.get()


def test_retrying_compensations_once_the_fault_is_gone_finishes_the_rollback(
    stuck_refund, service
):
    service.heal("refund")

    run = saga_retry_compensations(run_id=stuck_refund.pk, actor="reviewer")

    assert run.status == SagaRun.Status.COMPENSATED
    assert step_statuses(run)["charge"] == "compensated"
    assert service.effects("refund") == ["toy-order:op-1:charge"]
    assert service.points()[-3:] == ["refund", "release", "hook-compensated"]


def test_retrying_compensations_that_still_fail_leaves_the_run_in_review(
    stuck_refund, service
):
    run = saga_retry_compensations(run_id=stuck_refund.pk, actor="reviewer")

    assert run.status == SagaRun.Status.NEEDS_REVIEW
    assert service.calls("refund") == 8  # two rounds of four attempts


def test_resolving_a_stuck_compensation_by_hand_continues_the_rollback(
    stuck_refund, service
):
    """The reviewer refunded by phone: the engine releases the stock and ends."""
    run = saga_resolve_step(
        run_id=stuck_refund.pk,
        step_name="charge",
        outcome=Outcome.COMPLETED,
        actor="reviewer",
        note="refunded by phone",
    )

    assert run.status == SagaRun.Status.COMPENSATED
    charge = step_row(run, "charge")
    assert charge.status == "compensated"
    assert charge.note == "completed (by reviewer): refunded by phone"
    assert service.effects("refund") == []
    assert service.points()[-2:] == ["release", "hook-compensated"]


def test_retrying_an_unknown_step_runs_it_again_with_its_key(unknown_shipment, service):
    run = saga_retry_step(run_id=unknown_shipment.pk, step_name="ship", actor="rev")

    assert run.status == SagaRun.Status.COMPLETED
    assert service.call_keys("ship") == {"toy-order:op-1:ship"}
    assert service.calls("ship") == 2
    assert service.effects("ship") == ["toy-order:op-1:ship"]


def test_resolving_an_unknown_step_as_completed_continues_forward(
    unknown_shipment, service
):
    run = saga_resolve_step(
        run_id=unknown_shipment.pk,
        step_name="ship",
        outcome="completed",
        actor="reviewer",
        note="the carrier has it",
    )

    assert run.status == SagaRun.Status.COMPLETED
    assert service.calls("ship") == 1
    assert service.points()[-1] == "hook-completed"


def test_resolving_an_unknown_step_as_not_happened_compensates(
    unknown_shipment, service
):
    run = saga_resolve_step(
        run_id=unknown_shipment.pk,
        step_name="ship",
        outcome="not_happened",
        actor="reviewer",
        note="the carrier has nothing",
    )

    assert run.status == SagaRun.Status.COMPENSATED
    assert step_statuses(run)["ship"] == "failed"
    assert service.points()[-4:] == ["unpack", "refund", "release", "hook-compensated"]
    assert service.effects("unship") == []


def test_retrying_a_retriable_only_step_once_fixed_completes_the_run(service, state):
    service.fail("receipt", "error")
    with pytest.raises(Exception, match="receipt"):
        saga_start(saga="toy-pivot", operation_id="op-1", state=state)
    service.heal("receipt")

    run = saga_retry_step(
        run_id=SagaRun.objects.get().pk, step_name="receipt", actor="reviewer"
    )

    assert run.status == SagaRun.Status.COMPLETED
    assert service.effects("receipt") == ["toy-pivot:op-1:receipt"]


def test_review_actions_refuse_a_run_that_does_not_need_review(state):
    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    with pytest.raises(InvalidReviewAction):
        saga_retry_compensations(run_id=run.pk, actor="reviewer")


def test_retrying_compensations_refuses_a_run_stuck_going_forward(unknown_shipment):
    """An unknown step must be settled first; undoing around it would guess."""
    with pytest.raises(InvalidReviewAction):
        saga_retry_compensations(run_id=unknown_shipment.pk, actor="reviewer")


@pytest.mark.parametrize("outcome", [Outcome.COMPLETED, Outcome.NOT_HAPPENED])
def test_a_failed_step_that_was_compensated_cannot_be_resolved(stuck_refund, outcome):
    """ship failed and was rolled back around: only the refund waits for a person.

    Resolving ship "completed" would send the run forward again past an undone
    charge; the review offers only what is stuck, and the engine refuses the rest.
    """
    with pytest.raises(InvalidReviewAction, match="not stuck"):
        saga_resolve_step(
            run_id=stuck_refund.pk,
            step_name="ship",
            outcome=outcome,
            actor="reviewer",
            note="",
        )
    with pytest.raises(InvalidReviewAction, match="not stuck"):
        saga_retry_step(run_id=stuck_refund.pk, step_name="ship", actor="reviewer")

    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.NEEDS_REVIEW
    assert step_statuses(run)["ship"] == "failed"


def test_resolving_needs_an_answer_other_than_unknown(unknown_shipment):
    with pytest.raises(InvalidReviewAction):
        saga_resolve_step(
            run_id=unknown_shipment.pk,
            step_name="ship",
            outcome=Outcome.UNKNOWN,
            actor="reviewer",
            note="",
        )


def test_retrying_after_a_failed_on_compensated_hook_runs_only_the_hook(service, state):
    """The undos are done already: a retry calls the hook, not the refunds."""
    service.fail("ship", "error")
    service.fail("hook-compensated", "error")
    with pytest.raises(CompensationError):
        saga_start(saga="toy-order", operation_id="op-1", state=state)
    service.heal("hook-compensated")

    run = saga_retry_step(
        run_id=SagaRun.objects.get().pk, step_name="on_compensated", actor="reviewer"
    )

    assert run.status == SagaRun.Status.COMPENSATED
    assert service.calls("refund") == 1
    assert service.effects("hook-compensated") == ["toy-order:op-1:on_compensated"]
