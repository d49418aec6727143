"""The backward pass: undo the completed steps, last first, each with its retries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sagas import signals
from sagas.definition import Step
from sagas.exceptions import CompensationError
from sagas.models import SagaRun, SagaStep
from sagas.runner.attempts import Verdict, retry_call

if TYPE_CHECKING:
    from sagas.runner.core import Runner

Status = SagaStep.Status
# A compensating row was being undone when its worker died; a needs_review row
# is being retried by a reviewer. Both are undone (again): compensations are
# idempotent by their key.
TO_UNDO = (Status.COMPLETED, Status.COMPENSATING, Status.NEEDS_REVIEW)


def run_backward(runner: Runner) -> None:
    """Compensate completed steps in reverse order; stop at one that keeps failing.

    Stopping (rather than skipping to earlier steps) keeps the reverse order a
    promise: an earlier undo may rely on the later one having happened.
    """
    for flat in reversed(runner.saga.flat()):
        row = runner.rows[flat.step.name]
        if flat.step.compensation is not None and row.status in TO_UNDO:
            _compensate(runner, flat.step, row)


def _compensate(runner: Runner, step: Step, row: SagaStep) -> None:
    policy = step.compensation_retry
    # Attempts a dead worker made count (so a compensation that kills its worker
    # cannot loop forever); a reviewer's retry starts afresh.
    attempt = row.compensation_attempts + 1 if row.status == Status.COMPENSATING else 1
    if attempt > policy.max_attempts:
        _give_up(runner, step, row, row.last_error or "attempts used up")
    runner.journal.compensation_start(row, attempt)
    base = runner.snapshot()

    def on_retry(attempt: int, error: BaseException | str, delay: float) -> None:
        runner.journal.compensation_retrying(row, attempt, error)
        runner.signal(
            signals.step_retrying,
            step=step.name,
            attempt=attempt,
            error=error,
            delay=delay,
            compensation=True,
        )

    result = retry_call(
        step.compensation,
        policy=policy,
        clock=runner.clock,
        make_context=lambda attempt: runner.context(step.name, base, attempt),
        attempt=attempt,
        on_retry=on_retry,
        timeout=step.timeout,
    )
    if result.verdict is not Verdict.COMPLETED:
        _give_up(runner, step, row, result.error)
    with runner.lock:
        runner.adopt(base, result.state)
    runner.journal.compensation_done(row, runner.state)
    runner.signal(signals.compensation_completed, step=step.name)


def _give_up(runner: Runner, step: Step, row: SagaStep, error) -> None:
    runner.journal.step_ended(row, Status.NEEDS_REVIEW, error)
    runner.signal(signals.compensation_failed, step=step.name, error=error)
    runner.stop_for_review(
        reason=SagaRun.Reason.COMPENSATION_FAILED,
        error=f"{step.name}: {row.last_error}",
        step=step.name,
    )
    cause = error if isinstance(error, BaseException) else None
    raise CompensationError(runner.run.error, run=runner.run, step=step.name) from cause
