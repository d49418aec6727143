"""Parallel groups: members run together; a failure skips the unstarted ones."""

from __future__ import annotations

import pytest

from sagas.models import SagaRun
from sagas.services import saga_recover, saga_start
from tests.sagas.toys import SimulatedCrash, step_statuses

LEASE = 30


@pytest.fixture
def inline(settings):
    """Members run one after another in the caller's thread: a fixed order."""
    settings.SAGA_PARALLEL_EXECUTOR = "inline"


@pytest.fixture
def pool(settings):
    """Members run at once on the process's kept pool of threads."""
    settings.SAGA_PARALLEL_EXECUTOR = "pool"


@pytest.mark.django_db
def test_a_failing_member_skips_unstarted_siblings_and_undoes_completed_ones(
    inline, service, state
):
    """alpha done, beta fails, gamma never starts: alpha and prepare are undone."""
    service.fail("beta", "error")

    result = saga_start(saga="toy-fanout", operation_id="op-1", state=state)

    assert result.failed_step == "beta"
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
def test_members_in_threads_all_complete_and_their_results_are_merged(
    pool, service, state
):
    """Three members in three threads; each one's field lands in the saved state."""
    run = saga_start(saga="toy-fanout", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    stored = SagaRun.objects.get().state
    assert stored["reservation_id"].startswith("alpha#")
    assert stored["charge_id"].startswith("beta#")
    assert stored["package_id"].startswith("gamma#")
    assert set(step_statuses(run).values()) == {"completed"}
    assert sorted(service.points()[1:4]) == ["alpha", "beta", "gamma"]


@pytest.mark.django_db(transaction=True)
def test_members_in_threads_leave_no_completed_sibling_behind_a_failure(
    pool, service, state
):
    """Whatever the interleaving, each sibling ends compensated or skipped."""
    service.fail("gamma", "error")

    assert saga_start(saga="toy-fanout", operation_id="op-1", state=state).compensated

    statuses = step_statuses(SagaRun.objects.get())
    assert statuses["gamma"] == "failed"
    assert {statuses["alpha"], statuses["beta"]} <= {"compensated", "skipped"}
    for member in ("alpha", "beta"):
        undone = service.effects(f"un{member}")
        assert len(undone) == len(service.effects(member))
    assert statuses["prepare"] == "compensated"


@pytest.mark.django_db(transaction=True)
def test_a_group_costs_one_write_whatever_its_size(
    inline, service, state, django_assert_num_queries
):
    """Started with the step before them, recorded together when they end.

    3 to create the run (BEGIN, the run with prepare started, COMMIT); prepare
    completed with the 3 members started (1); the group completed with finish
    started (1); finish completed with the run (1).
    """
    with django_assert_num_queries(3 + 1 + 1 + 1):
        run = saga_start(
            saga="toy-fanout-repeatable", operation_id="op-1", state=state
        ).run

    assert run.status == SagaRun.Status.COMPLETED
    assert set(step_statuses(run).values()) == {"completed"}
    stored = SagaRun.objects.get().state
    assert [stored[f] for f in ("reservation_id", "charge_id", "package_id")] == [
        "alpha#2",
        "beta#3",
        "gamma#4",
    ]


@pytest.mark.django_db(transaction=True)
def test_members_that_recovery_cannot_repeat_cost_nothing_more(
    inline, service, state, django_assert_num_queries
):
    """They must be written started before they act: the write before the group,
    which records the step before them, does it for all of them at once."""
    with django_assert_num_queries(3 + 1 + 1 + 1):
        run = saga_start(saga="toy-fanout", operation_id="op-1", state=state).run

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

    assert saga_start(
        saga="toy-fanout-repeatable", operation_id="op-1", state=state
    ).compensated

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
