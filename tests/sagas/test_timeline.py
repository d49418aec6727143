"""A run's timeline: its story in order, read from its row, written at no extra cost."""

from __future__ import annotations

import pytest

from observability.roundtrips import count_round_trips
from sagas.models import SagaRun
from sagas.selectors import run_timeline
from sagas.services import saga_recover, saga_start

pytestmark = pytest.mark.django_db


def kinds(run: SagaRun) -> list[tuple[str, str]]:
    """Return (kind, step) of each event of the run as stored, oldest first."""
    return [(e.kind, e.step) for e in run_timeline(run=SagaRun.objects.get(pk=run.pk))]


def test_the_happy_path_is_told_by_the_steps_own_times(state):
    """Nothing is written for the timeline: the steps' journal says it all."""
    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert SagaRun.objects.get().timeline == []
    assert kinds(run) == [
        ("step_started", "reserve"),
        ("step_completed", "reserve"),
        ("step_started", "charge"),
        ("step_completed", "charge"),
        ("step_started", "pack"),
        ("step_completed", "pack"),
        ("step_started", "ship"),
        ("step_completed", "ship"),
        ("run_finished", ""),
    ]


def test_a_failure_shows_the_retries_then_the_undos_in_the_order_they_ran(
    state, service
):
    """Ship fails three times; pack, charge and reserve are undone, last first."""
    service.fail("ship", "error")

    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    story = kinds(run)
    assert story[story.index(("step_started", "ship")) :] == [
        ("step_started", "ship"),
        ("attempt_failed", "ship"),
        ("attempt_failed", "ship"),
        ("step_failed", "ship"),
        ("rolling_back", "ship"),
        ("compensation_started", "pack"),
        ("compensated", "pack"),
        ("compensation_started", "charge"),
        ("compensated", "charge"),
        ("compensation_started", "reserve"),
        ("compensated", "reserve"),
        ("run_finished", ""),
    ]
    # The forward steps keep the time their action ended, not their undo's.
    assert [kind for kind, step in story if step == "pack"][:2] == [
        "step_started",
        "step_completed",
    ]


def test_each_retry_says_what_failed_and_how_long_the_back_off_waited(
    state, service, clock
):
    service.fail("charge", "transient:2")

    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    retries = [e for e in run_timeline(run=run) if e.kind == "attempt_failed"]
    assert [e.text for e in retries] == [
        f"charge: attempt {n} failed (ConnectionError: charge hiccup); "
        f"waited {delay:.3f} s before the next"
        for n, delay in zip([1, 2], clock.delays, strict=True)
    ]
    assert {e.phase for e in retries} == {"retry"}
    (done,) = [e for e in run_timeline(run=run) if e.kind == "step_completed"][1:2]
    assert done.text == "charge completed at attempt 3"


def test_a_reconcile_answer_is_in_the_story(state, service):
    service.fail("charge", "timeout")

    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    (answer,) = [e for e in run_timeline(run=run) if e.kind == "reconciled"]
    assert answer.text == "charge: asked the other system, it had happened"


def test_a_takeover_is_in_the_story(state, clock):
    saga_start(saga="toy-order", operation_id="op-1", state=state, execute=False)
    clock.advance(3600)

    saga_recover()

    run = SagaRun.objects.get()
    (takeover,) = [e for e in run_timeline(run=run) if e.kind == "takeover"]
    assert takeover.text == "Taken over from a worker that stopped (takeover 1)"
    assert run.status == SagaRun.Status.COMPLETED


def test_times_since_the_start_grow_along_the_story(state, service):
    service.fail("ship", "error")

    run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    offsets = [e.since_start for e in run_timeline(run=run)]
    assert offsets == sorted(offsets)
    assert run_timeline(run=run)[0].offset == "+0.000 s"


@pytest.mark.django_db(transaction=True)
def test_failed_attempts_cost_no_commit_of_their_own(state, service, tmp_path):
    """The failures of a retried step go in the commit that records the step."""
    with count_round_trips() as happy:
        saga_start(saga="toy-order", operation_id="op-1", state=state)
    service.fail("charge", "transient:2")

    with count_round_trips() as retried:
        saga_start(saga="toy-order", operation_id="op-2", state=state)

    assert retried.commits == happy.commits, retried.summary()
    assert len(SagaRun.objects.get(operation_id="op-2").timeline) == 2
