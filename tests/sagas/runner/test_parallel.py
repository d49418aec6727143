"""Parallel groups: members run together; a failure skips the unstarted ones."""

from __future__ import annotations

import pytest

from sagas.exceptions import StepError
from sagas.models import SagaRun
from sagas.services import saga_start
from tests.sagas.toys import step_statuses


@pytest.fixture
def inline(settings):
    """Members run one after another in the caller's thread: a fixed order."""
    settings.SAGA_PARALLEL_EXECUTOR = "inline"


@pytest.mark.django_db
def test_a_failing_member_skips_unstarted_siblings_and_undoes_completed_ones(
    inline, service, state
):
    """alpha done, beta fails, gamma never starts: alpha and prepare are undone."""
    service.fail("beta", "error")

    with pytest.raises(StepError) as raised:
        saga_start(saga="toy-fanout", operation_id="op-1", state=state)

    assert raised.value.step == "beta"
    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.COMPENSATED
    assert step_statuses(run) == {
        "prepare": "compensated",
        "alpha": "compensated",
        "beta": "failed",
        "gamma": "skipped",
        "finish": "pending",
    }
    assert service.points() == ["prepare", "alpha", "unalpha", "unprepare"]
    assert service.calls("gamma") == 0


@pytest.mark.django_db(transaction=True)
def test_members_in_threads_all_complete_and_their_results_are_merged(service, state):
    """Three members in three threads; each one's field lands in the saved state."""
    run = saga_start(saga="toy-fanout", operation_id="op-1", state=state)

    assert run.status == SagaRun.Status.COMPLETED
    stored = SagaRun.objects.get().state
    assert stored["reservation_id"].startswith("alpha#")
    assert stored["charge_id"].startswith("beta#")
    assert stored["package_id"].startswith("gamma#")
    assert set(step_statuses(run).values()) == {"completed"}
    assert sorted(service.points()[1:4]) == ["alpha", "beta", "gamma"]


@pytest.mark.django_db(transaction=True)
def test_members_in_threads_leave_no_completed_sibling_behind_a_failure(service, state):
    """Whatever the interleaving, each sibling ends compensated or skipped."""
    service.fail("gamma", "error")

    with pytest.raises(StepError):
        saga_start(saga="toy-fanout", operation_id="op-1", state=state)

    statuses = step_statuses(SagaRun.objects.get())
    assert statuses["gamma"] == "failed"
    assert {statuses["alpha"], statuses["beta"]} <= {"compensated", "skipped"}
    for member in ("alpha", "beta"):
        undone = service.effects(f"un{member}")
        assert len(undone) == len(service.effects(member))
    assert statuses["prepare"] == "compensated"
