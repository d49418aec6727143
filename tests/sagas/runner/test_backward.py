"""The backward pass: a compensation that keeps failing stops the run for review."""

from __future__ import annotations

import logging

import pytest

from outbox.models import OutboxMessage
from sagas.exceptions import CompensationError
from sagas.models import SagaRun
from sagas.services import saga_start
from tests.sagas.toys import step_row, step_statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def stuck_refund(service, state):
    """A run whose shipping failed and whose refund (the charge's undo) is down."""
    service.fail("ship", "error")
    service.fail("refund", "error")
    with pytest.raises(CompensationError) as raised:
        saga_start(saga="toy-order", operation_id="op-1", state=state)
    return raised.value


def test_a_failing_compensation_is_retried_by_its_policy_then_given_up(
    stuck_refund, service
):
    """The refund is tried compensation_retry.max_attempts times (4), no more."""
    assert service.calls("refund") == 4
    charge = step_row(SagaRun.objects.get(), "charge")
    assert charge.compensation_attempts == 4
    assert "ConnectionError: refund is down" in charge.last_error


def test_a_failing_compensation_leaves_the_run_needing_review(stuck_refund, service):
    """Run needs_review, the step too; earlier undos wait (reverse order kept)."""
    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.NEEDS_REVIEW
    assert run.error_code == SagaRun.Reason.COMPENSATION_FAILED
    assert "refund is down" in run.error
    assert (run.lease_owner, run.lease_expires_at) == ("", None)
    assert step_statuses(run) == {
        "reserve": "completed",
        "charge": "needs_review",
        "pack": "compensated",
        "ship": "failed",
    }
    assert service.effects("release") == []
    assert service.effects("hook-compensated") == []
    assert stuck_refund.step == "charge"
    assert isinstance(stuck_refund.__cause__, ConnectionError)


def test_a_failing_compensation_emits_an_outbox_event(stuck_refund):
    """One saga.needs_review message, in the transaction of the status change."""
    run = SagaRun.objects.get()
    message = OutboxMessage.objects.get(event_type="saga.needs_review")
    assert (message.aggregate_type, message.aggregate_id) == ("saga_run", str(run.pk))
    assert message.payload["operation_id"] == "op-1"
    assert message.payload["step"] == "charge"
    assert message.payload["reason"] == "compensation_failed"


def test_a_failing_compensation_logs_an_error(service, state, caplog):
    """An ERROR line on logger "sagas" names the run, saga and step."""
    service.fail("ship", "error")
    service.fail("refund", "error")
    with (
        caplog.at_level(logging.INFO, logger="sagas"),
        pytest.raises(CompensationError),
    ):
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage().split(":")[0] for r in errors] == [
        "compensation of step charge failed",
        "saga run needs review (compensation_failed)",
    ]
    assert {(r.operation_id, r.saga) for r in errors} == {("op-1", "toy-order")}
    assert errors[0].step == "charge"


def test_an_on_compensated_hook_that_keeps_failing_stops_the_run_for_review(
    service, state
):
    """The hook runs after every undo; failing, it is a stuck rollback too."""
    service.fail("ship", "error")
    service.fail("hook-compensated", "error")

    with pytest.raises(CompensationError) as raised:
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.NEEDS_REVIEW
    assert run.error_code == SagaRun.Reason.ON_COMPENSATED_FAILED
    assert raised.value.step == "on_compensated"
    assert service.calls("hook-compensated") == 3
    assert service.points() == [
        "reserve",
        "charge",
        "pack",
        "unpack",
        "refund",
        "release",
    ]
