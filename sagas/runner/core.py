"""The runner: drives one run forward, or back through its compensations."""

from __future__ import annotations

import copy
import dataclasses
import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

from sagas import signals
from sagas.clock import Clock, get_clock
from sagas.context import StepContext
from sagas.definition import RetryPolicy, Saga, Step
from sagas.exceptions import CompensationError, NeedsReview, OutcomeUnknown, StepError
from sagas.models import SagaRun, SagaStep
from sagas.registry import get_saga
from sagas.runner.attempts import Verdict, retry_call
from sagas.runner.journal import Journal, error_text

Reason = SagaRun.Reason
HOOK_RETRY = RetryPolicy()


class StopKind(enum.IntEnum):
    """Why the forward pass stopped; a lower value wins within a parallel group."""

    REVIEW = 1
    FAILED = 2
    CANCELLED = 3


@dataclass
class Stop:
    """The forward pass cannot go on: compensate, or wait for a person."""

    kind: StopKind
    step: str | None = None
    error: BaseException | str | None = None
    reason: str = Reason.STEP_FAILED


class Runner:
    """Advance one run while holding its lease.

    Forward: each step is recorded ``started`` before its action and
    ``completed`` with the new state after. On a failure, or a cancellation,
    the completed steps are compensated in reverse order.
    """

    def __init__(
        self,
        *,
        run: SagaRun,
        rows: list[SagaStep],
        saga: Saga,
        owner: str,
        clock: Clock | None = None,
    ) -> None:
        self.run, self.saga = run, saga
        self.rows = {row.name: row for row in rows}
        run.step_rows = rows  # the same objects, kept current as the run goes
        self.clock = clock or get_clock()
        self.journal = Journal(run=run, saga=saga, owner=owner, clock=self.clock)
        self.state = saga.state_load(run.state)
        # Parallel members share the state; they adopt their results under it.
        self.lock = threading.Lock()
        self.thread_id = threading.get_ident()
        # Steps this process marked started: any other ``started`` row was left
        # behind by a worker that died, so its outcome is unknown.
        self.started_here: set[str] = set()
        self.failure: Stop | None = None

    @classmethod
    def load(cls, run_id: int, *, owner: str, **kwargs: Any) -> Runner:
        """Return a runner for the stored run ``run_id`` (whose lease we hold)."""
        run = SagaRun.objects.get(pk=run_id)
        rows = list(run.steps.order_by("position"))
        return cls(run=run, rows=rows, saga=get_saga(run.saga), owner=owner, **kwargs)

    def execute(self) -> SagaRun:
        """Advance the run as far as it can go.

        Return the run completed (or compensated after a cancellation); raise
        ``StepError`` when a failure was compensated, ``NeedsReview`` (or a
        subclass) when it stopped for a person, ``LeaseLost`` if taken over.
        """
        from sagas.runner.backward import run_backward
        from sagas.runner.forward import run_forward

        if self.run.status == SagaRun.Status.RUNNING:
            stop = run_forward(self)
            if stop is None:
                return self._finish_completed()
            self._turn_around(stop)
        if self.run.status == SagaRun.Status.COMPENSATING:
            run_backward(self)
            return self._finish_compensated()
        return self.run

    # -- helpers for the forward and backward passes ------------------------------

    def snapshot(self) -> Any:
        """Return a private copy of the current state."""
        with self.lock:
            return copy.deepcopy(self.state)

    def context(self, step_name: str, base: Any, attempt: int) -> StepContext:
        """Return the context of one attempt, with its own copy of ``base``."""
        return StepContext(
            state=copy.deepcopy(base),
            saga=self.saga.name,
            operation_id=self.run.operation_id,
            run_id=self.run.pk,
            step_name=step_name,
            idempotency_key=self.saga.idempotency_key(self.run.operation_id, step_name),
            attempt=attempt,
        )

    def adopt(self, base: Any, after: Any) -> None:
        """Keep the fields an attempt changed (call with ``lock`` held)."""
        for field in dataclasses.fields(after):
            value = getattr(after, field.name)
            if value != getattr(base, field.name):
                setattr(self.state, field.name, value)

    def cancellable(self, after: Step | None = None) -> bool:
        """Return whether a cancellation still applies (the pivot is not done)."""
        pivot = self.saga.pivot
        if pivot is None:
            return True
        done = self.rows[pivot].status == SagaStep.Status.COMPLETED
        return not done and (after is None or after.name != pivot)

    def signal(self, signal: Signal, **kwargs: Any) -> None:
        """Send ``signal`` about this run."""
        signal.send(sender=self.saga, run=self.run, **kwargs)

    def stop_for_review(self, *, reason: str, error: Any, step: str | None) -> None:
        """Record that the run needs a person, and tell everyone."""
        self.journal.run_needs_review(reason=reason, error=error, step=step)
        self.signal(signals.run_finished, status=SagaRun.Status.NEEDS_REVIEW)

    # -- ends of a pass ------------------------------------------------------------

    def _turn_around(self, stop: Stop) -> None:
        cause = stop.error if isinstance(stop.error, BaseException) else None
        where = f"{stop.step}: " if stop.step else ""
        if stop.kind is StopKind.REVIEW:
            self.stop_for_review(
                reason=stop.reason,
                error=f"{where}{error_text(stop.error)}",
                step=stop.step,
            )
            error = (
                OutcomeUnknown if stop.reason == Reason.OUTCOME_UNKNOWN else NeedsReview
            )
            raise error(self.run.error, run=self.run, step=stop.step) from cause
        if stop.kind is StopKind.CANCELLED:
            self.journal.run_compensating(
                reason=Reason.CANCELLED, error="cancellation requested"
            )
        else:
            self.failure = stop
            self.journal.run_compensating(
                reason=Reason.STEP_FAILED, error=f"{where}{error_text(stop.error)}"
            )

    def _hook(self, fn: Callable[[StepContext], Any] | None, name: str) -> Any:
        """Call an end-of-run hook, with retries; return its last error, if any."""
        if fn is None:
            return None
        base = self.snapshot()
        result = retry_call(
            fn,
            policy=HOOK_RETRY,
            clock=self.clock,
            make_context=lambda attempt: self.context(name, base, attempt),
            attempt=1,
            on_retry=lambda attempt, error, delay: self.signal(
                signals.step_retrying,
                step=name,
                attempt=attempt,
                error=error,
                delay=delay,
            ),
        )
        if result.verdict is not Verdict.COMPLETED:
            return result.error
        with self.lock:
            self.adopt(base, result.state)
        self.journal.save_state(self.state)
        return None

    def _finish_completed(self) -> SagaRun:
        error = self._hook(self.saga.on_completed, "on_completed")
        if error is not None:
            reason = Reason.ON_COMPLETED_FAILED
            self.stop_for_review(reason=reason, error=error, step="on_completed")
            raise NeedsReview(
                self.run.error, run=self.run, step="on_completed"
            ) from error
        self.journal.run_finish(SagaRun.Status.COMPLETED)
        self.signal(signals.run_finished, status=SagaRun.Status.COMPLETED)
        return self.run

    def _finish_compensated(self) -> SagaRun:
        error = self._hook(self.saga.on_compensated, "on_compensated")
        if error is not None:
            reason, step = Reason.ON_COMPENSATED_FAILED, "on_compensated"
            self.stop_for_review(reason=reason, error=error, step=step)
            raise CompensationError(self.run.error, run=self.run, step=step) from error
        self.journal.run_finish(SagaRun.Status.COMPENSATED)
        self.signal(signals.run_finished, status=SagaRun.Status.COMPENSATED)
        if self.run.error_code != Reason.STEP_FAILED:
            return self.run
        if self.failure is not None:
            cause = self.failure.error
            raise StepError(self.run.error, run=self.run, step=self.failure.step) from (
                cause if isinstance(cause, BaseException) else None
            )
        # Resumed after a crash: the failed step's exception is gone, its text is not.
        failed = [
            r.name for r in self.rows.values() if r.status == SagaStep.Status.FAILED
        ]
        raise StepError(self.run.error, run=self.run, step=failed[0] if failed else "")
