"""Parallel groups: members run together; a failure skips the unstarted ones."""

from __future__ import annotations

import pytest

from sagas.exceptions import StepError
from sagas.models import SagaRun
from sagas.services import saga_recover, saga_start
from tests.sagas.toys import SimulatedCrash, step_statuses

LEASE = 30


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


@pytest.mark.django_db(transaction=True)
def test_a_group_of_repeatable_members_costs_two_updates_in_all(
    inline, service, state, django_assert_num_queries
):
    """Started with the step before them, completed together: not 2 per member.

    4 to create the run; prepare completed and the 3 members started (1); the
    members' state saved, then all 3 completed (2); finish started (1), its
    state saved and it completed (2); the run ended (1). Members that recovery
    could not repeat cost 2 each on top (test below).
    """
    with django_assert_num_queries(4 + 1 + 2 + 1 + 2 + 1):
        run = saga_start(saga="toy-fanout-repeatable", operation_id="op-1", state=state)

    assert run.status == SagaRun.Status.COMPLETED
    assert set(step_statuses(run).values()) == {"completed"}
    stored = SagaRun.objects.get().state
    assert [stored[f] for f in ("reservation_id", "charge_id", "package_id")] == [
        "alpha#2",
        "beta#3",
        "gamma#4",
    ]


@pytest.mark.django_db(transaction=True)
def test_members_that_recovery_cannot_repeat_are_recorded_one_by_one(
    inline, service, state, django_assert_num_queries
):
    """Each is started just before its action and completed just after it."""
    with django_assert_num_queries(4 + 1 + 3 * 3 + 1 + 2 + 1):
        run = saga_start(saga="toy-fanout", operation_id="op-1", state=state)

    assert run.status == SagaRun.Status.COMPLETED


@pytest.mark.django_db
def test_a_worker_dying_inside_a_group_leaves_its_members_for_recovery(
    inline, service, state, clock
):
    """alpha done but unrecorded, beta's effect made, gamma not begun: none twice."""
    service.fail("beta", "crash")
    with pytest.raises(SimulatedCrash):
        saga_start(saga="toy-fanout-repeatable", operation_id="op-1", state=state)
    run = SagaRun.objects.get()
    assert step_statuses(run) == {
        "prepare": "completed",
        "alpha": "started",
        "beta": "started",
        "gamma": "started",
        "finish": "pending",
    }

    clock.advance(LEASE + 1)
    assert saga_recover() == 1

    run.refresh_from_db()
    assert run.status == SagaRun.Status.COMPLETED
    assert set(step_statuses(run).values()) == {"completed"}
    for member in ("alpha", "beta", "gamma"):
        assert service.effects(member) == [f"toy-fanout-repeatable:op-1:{member}"]
    assert service.calls("alpha") == 2  # repeated with its key, no second effect
    assert service.calls("gamma") == 1


@pytest.mark.django_db
def test_a_failing_member_skips_siblings_started_with_it_but_not_begun(
    inline, service, state
):
    """gamma was recorded started with the group; it is skipped, never run."""
    service.fail("beta", "declined")

    with pytest.raises(StepError):
        saga_start(saga="toy-fanout-repeatable", operation_id="op-1", state=state)

    run = SagaRun.objects.get()
    assert step_statuses(run) == {
        "prepare": "compensated",
        "alpha": "compensated",
        "beta": "failed",
        "gamma": "skipped",
        "finish": "pending",
    }
    assert service.calls("gamma") == 0
    assert service.points() == ["prepare", "alpha", "unalpha", "unprepare"]
