"""The forward pass: each step started (committed), attempted, then completed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sagas import signals
from sagas.definition import Parallel, Step
from sagas.models import SagaRun, SagaStep
from sagas.runner.attempts import Result, Verdict, run_action
from sagas.runner.core import Stop, StopKind

if TYPE_CHECKING:
    from sagas.runner.core import Runner

Status = SagaStep.Status
Reason = SagaRun.Reason


def run_forward(runner: Runner) -> Stop | None:
    """Run every step not yet done, in order; return why it stopped, if it did."""
    from sagas.runner.parallel import run_group

    items = runner.saga.steps
    for index, item in enumerate(items):
        if isinstance(item, Parallel):
            stop = run_group(runner, item)
        else:
            following = items[index + 1] if index + 1 < len(items) else None
            stop = run_step(runner, item, following=following)
        if stop is not None:
            return stop
    return None


def run_step(
    runner: Runner,
    step: Step,
    *,
    following: Step | Parallel | None = None,
    group_done: list[SagaStep] | None = None,
) -> Stop | None:
    """Bring one step to an end; return why the run must stop, if it must.

    A parallel member passes ``group_done``: completed, its row joins that list
    to be recorded with its siblings' in one UPDATE when the group ends.
    """
    row = runner.rows[step.name]
    if row.status in (Status.COMPLETED, Status.SKIPPED):
        return None
    if step.best_effort and row.status in (Status.FAILED, Status.UNKNOWN):
        return None
    if row.status == Status.FAILED:
        # Failed earlier (a worker died before turning the run around): decide as
        # if it had just failed.
        return _failed(step, row.last_error)
    if row.status == Status.PENDING and not step_begin(runner, row):
        return Stop(StopKind.CANCELLED)
    resumed = row.name not in runner.started_here
    base = runner.snapshot()

    def on_retry(attempt: int, error: BaseException | str, delay: float) -> None:
        runner.journal.step_retrying(row, attempt, error)
        runner.signal(
            signals.step_retrying,
            step=step.name,
            attempt=attempt,
            error=error,
            delay=delay,
        )

    result = run_action(
        step,
        saga=runner.saga,
        clock=runner.clock,
        make_context=lambda attempt: runner.context(step.name, base, attempt),
        attempt=row.attempts,
        resumed=resumed,
        on_retry=on_retry,
    )
    if result.verdict is Verdict.COMPLETED:
        if group_done is not None:
            with runner.lock:
                runner.adopt(base, result.state)
                group_done.append(row)
            return None
        return _completed(runner, step, row, base, result, following)
    status = Status.UNKNOWN if result.verdict is Verdict.UNKNOWN else Status.FAILED
    runner.journal.step_ended(row, status, result.error)
    runner.signal(
        signals.step_failed, step=step.name, error=result.error, outcome=status
    )
    if step.best_effort:
        return None  # whatever happened, it must not hold the run up
    if status == Status.UNKNOWN:
        return Stop(StopKind.REVIEW, step.name, result.error, Reason.OUTCOME_UNKNOWN)
    return _failed(step, result.error)


def step_begin(runner: Runner, row: SagaStep) -> bool:
    """Record ``row`` started; return False if the run was cancelled instead."""
    cancellable = runner.cancellable()
    if cancellable and runner.run.cancel_requested:
        return False
    if not runner.journal.step_start(row, cancellable=cancellable):
        return False
    runner.started_here.add(row.name)
    runner.signal(signals.step_started, step=row.name, attempt=row.attempts)
    return True


def _completed(
    runner: Runner,
    step: Step,
    row: SagaStep,
    base: object,
    result: Result,
    following: Step | Parallel | None,
) -> Stop | None:
    next_rows = _started_along(runner, following)
    # No cancellation is checked after the last step or the pivot: nothing is
    # left that a cancellation could stop.
    cancellable = following is not None and runner.cancellable(after=step)
    with runner.lock:
        runner.adopt(base, result.state)
        went_on = runner.journal.step_completed(
            row, runner.state, next_rows=next_rows, cancellable=cancellable
        )
    runner.signal(signals.step_completed, step=step.name)
    if not went_on:
        return Stop(StopKind.CANCELLED)
    for next_row in next_rows:
        runner.started_here.add(next_row.name)
        runner.signal(
            signals.step_started, step=next_row.name, attempt=next_row.attempts
        )
    return None


def _started_along(runner: Runner, following: Step | Parallel | None) -> list[SagaStep]:
    """Return the rows to record started in the UPDATE that completes this step.

    One write fewer per step: the next plain step, or the members of the next
    parallel group that recovery can settle alone (reconcile or repeat) should
    the worker die before their turn comes.
    """
    if following is None or runner.run.cancel_requested:
        return []
    if isinstance(following, Step):
        candidates = [following]
    else:
        candidates = [member for member in following.steps if member.resumable]
    rows = [runner.rows[candidate.name] for candidate in candidates]
    return [row for row in rows if row.status == Status.PENDING]


def _failed(step: Step, error: BaseException | str | None) -> Stop | None:
    if not step.retriable_only:
        return Stop(StopKind.FAILED, step.name, error)
    return Stop(StopKind.REVIEW, step.name, error, Reason.STEP_EXHAUSTED)
