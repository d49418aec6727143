"""The forward pass: steps run once, in order; a failure is undone in reverse."""

from __future__ import annotations

import pytest

from sagas.models import SagaRun
from sagas.services import saga_start
from tests.sagas.toys import Declined, step_row, step_statuses

pytestmark = pytest.mark.django_db

STEPS = ["reserve", "charge", "pack", "ship"]
UNDO = {"reserve": "release", "charge": "refund", "pack": "unpack", "ship": "unship"}


def test_a_healthy_run_completes_every_step_once(service, state):
    """Each action runs once, its result is saved, the run ends completed."""
    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert service.points() == [*STEPS, "hook-completed"]
    assert set(step_statuses(run).values()) == {"completed"}
    stored = SagaRun.objects.get(pk=run.pk)
    assert stored.state["charge_id"] == "charge#2"
    assert (stored.lease_owner, stored.lease_expires_at) == ("", None)


@pytest.mark.parametrize("failing", STEPS)
def test_a_failing_step_undoes_exactly_the_completed_steps_in_reverse(
    service, state, failing
):
    """Steps before the failure are compensated, last first; later ones never run.

    A clean rollback is an outcome: the result says which step failed and why.
    """
    service.fail(failing, "error")

    result = saga_start(saga="toy-order", operation_id="op-1", state=state)

    done = STEPS[: STEPS.index(failing)]
    undone = [UNDO[step] for step in reversed(done)]
    assert service.points() == [*done, *undone, "hook-compensated"]
    run = SagaRun.objects.get(operation_id="op-1")
    assert run.status == SagaRun.Status.COMPENSATED
    assert run.error_code == SagaRun.Reason.STEP_FAILED
    statuses = step_statuses(run)
    assert [statuses[step] for step in done] == ["compensated"] * len(done)
    assert statuses[failing] == "failed"
    assert (result.status, result.failed_step) == ("compensated", failing)
    assert f"{failing}: ConnectionError: {failing} is down" == result.error


def test_a_business_error_is_never_retried(service, state, clock):
    """A declined charge is final at once: one call, no back-off, a rollback."""
    service.fail("charge", "declined")

    result = saga_start(saga="toy-order", operation_id="op-1", state=state)

    assert service.calls("charge") == 1
    assert clock.delays == []
    assert (result.failed_step, result.error_code) == ("charge", Declined.code)
    assert service.points() == ["reserve", "release", "hook-compensated"]


def test_a_transient_error_is_retried_without_repeating_earlier_steps(
    service, state, clock
):
    """Two hiccups, then success: the charge is tried three times, the rest once."""
    service.fail("charge", "transient:2")

    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert service.calls("reserve") == 1
    assert service.calls("charge") == 3
    assert service.effects("charge") == ["toy-order:op-1:charge"]
    assert step_row(run, "charge").attempts == 3
    # PATIENT: 0.1s x2 (±10%) capped at 0.3s.
    assert 0.09 <= clock.delays[0] <= 0.11
    assert 0.18 <= clock.delays[1] <= 0.22
    assert len(clock.delays) == 2


def test_retries_stop_at_the_limit_with_growing_capped_delays(service, state, clock):
    """A charge that keeps failing is tried max_attempts times, then undone."""
    service.fail("charge", "error")

    assert saga_start(saga="toy-order", operation_id="op-1", state=state).compensated

    assert service.calls("charge") == 5
    charge = step_row(SagaRun.objects.get(), "charge")
    assert (charge.status, charge.attempts) == ("failed", 5)
    assert "ConnectionError: charge is down" in charge.last_error
    nominal = [0.1, 0.2, 0.3, 0.3]  # 0.1 x2, capped at 0.3
    assert len(clock.delays) == len(nominal)
    for delay, expected in zip(clock.delays, nominal, strict=True):
        assert expected * 0.9 <= delay <= min(expected * 1.1, 0.3)
