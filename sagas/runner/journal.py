"""The runner's bookkeeping: every write is fenced by the lease and commits at once.

Each method is one or two autocommit UPDATEs whose WHERE clause requires that we
still hold the run's lease; zero rows updated means another worker took the run
over, and ``LeaseLost`` stops this one before it does anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Q,
    Value,
    When,
)

from outbox.services import message_emit
from sagas.clock import Clock
from sagas.definition import Saga
from sagas.exceptions import LeaseLost
from sagas.lease import lease_ttl
from sagas.models import SagaRun, SagaStep

Status = SagaStep.Status


def error_text(error: BaseException | str | None) -> str:
    """Return an error as the line stored in ``last_error`` and ``error``."""
    if error is None or isinstance(error, str):
        return error or ""
    return f"{type(error).__name__}: {error}"


class Journal:
    """Fenced writes of one run's progress, keeping the in-memory rows in step."""

    def __init__(self, *, run: SagaRun, saga: Saga, owner: str, clock: Clock) -> None:
        self.run, self.saga, self.owner, self.clock = run, saga, owner, clock
        self.lease_until: datetime | None = run.lease_expires_at

    # -- fences ------------------------------------------------------------------

    def _held(self, *, cancellable: bool = False):
        held = SagaRun.objects.filter(pk=self.run.pk, lease_owner=self.owner)
        return held.filter(cancel_requested=False) if cancellable else held

    def _steps(self, *rows: SagaStep, cancellable: bool = False):
        held = Exists(self._held(cancellable=cancellable))
        return SagaStep.objects.filter(held, pk__in=[row.pk for row in rows])

    def _lost(self) -> LeaseLost:
        return LeaseLost(f"Lost the lease on run {self.run.pk}.", run=self.run)

    def _check(self, updated: int, expected: int = 1) -> None:
        if updated != expected:
            raise self._lost()

    def _cancel_or_lost(self) -> None:
        """Explain a refused write: raise if the lease is gone, else it was a cancel."""
        if not self._held().filter(cancel_requested=True).exists():
            raise self._lost()
        self.run.cancel_requested = True

    def _lease(self, now: datetime) -> dict[str, Any]:
        self.lease_until = now + lease_ttl()
        self.run.lease_expires_at = self.lease_until
        return {"lease_expires_at": self.lease_until, "updated_at": now}

    def renew_if_due(self) -> None:
        """Extend the lease when less than half of it is left (no query otherwise)."""
        now = self.clock.now()
        if self._lease_due(now):
            self._check(self._held().update(**self._lease(now)))

    # -- forward -----------------------------------------------------------------

    def step_start(self, row: SagaStep, *, cancellable: bool) -> bool:
        """Record ``row`` started, committed before its action runs.

        Return False instead when a cancellation was requested (checked in the
        same UPDATE, so cancelling costs nothing on the happy path).
        """
        now, attempt = self.clock.now(), row.attempts + 1
        steps = self._steps(row, cancellable=cancellable)
        if not steps.update(status=Status.STARTED, attempts=attempt, started_at=now):
            self._cancel_or_lost()
            return False
        row.status, row.attempts, row.started_at = Status.STARTED, attempt, now
        return True

    def step_completed(
        self,
        row: SagaStep,
        state: Any,
        *,
        next_rows: Sequence[SagaStep] = (),
        cancellable: bool = False,
    ) -> bool:
        """Save the state, then record ``row`` completed and ``next_rows`` started.

        Two UPDATEs, in that order: a crash between them leaves the step
        ``started`` with its results already saved, which recovery settles by
        reconciling. A step that changed nothing in the state, while the lease
        is fresh, skips the first: the step UPDATE carries the lease and cancel
        fences alone. Return False when a cancellation stopped ``next_rows``.
        """
        return self.steps_completed(
            [row], state, next_rows=next_rows, cancellable=cancellable
        )

    def steps_completed(
        self,
        rows: Sequence[SagaStep],
        state: Any,
        *,
        next_rows: Sequence[SagaStep] = (),
        cancellable: bool = False,
    ) -> bool:
        """Like ``step_completed`` for several rows: a parallel group's members."""
        now, data = self.clock.now(), self.saga.state_dump(state)
        cancelled = False
        if data != self.run.state or self._lease_due(now):
            if not self._held(cancellable=cancellable).update(
                state=data, **self._lease(now)
            ):
                self._cancel_or_lost()
                # The state is saved anyway: the compensations need what it records.
                self._check(self._held().update(state=data, **self._lease(now)))
                cancelled, next_rows = True, ()
            self.run.state = data
            cancellable = False  # Checked by the UPDATE above.
        if not self._mark_completed(rows, next_rows, now, cancellable=cancellable):
            self._cancel_or_lost()
            self._check(self._mark_completed(rows, (), now))
            cancelled, next_rows = True, ()
        for next_row in next_rows:
            next_row.status, next_row.started_at = Status.STARTED, now
            next_row.attempts += 1
        for row in rows:
            row.status, row.finished_at = Status.COMPLETED, now
        return not cancelled

    def _lease_due(self, now: datetime) -> bool:
        return self.lease_until is None or self.lease_until - now < lease_ttl() / 2

    def _mark_completed(
        self,
        rows: Sequence[SagaStep],
        next_rows: Sequence[SagaStep],
        now: datetime,
        *,
        cancellable: bool = False,
    ) -> bool:
        """Record ``rows`` completed (and ``next_rows`` started) in one UPDATE."""
        steps = self._steps(*rows, *next_rows, cancellable=cancellable)
        if not next_rows:
            updated = steps.update(status=Status.COMPLETED, finished_at=now)
            return updated == len(rows)
        done = Q(pk__in=[row.pk for row in rows])
        updated = steps.update(
            status=Case(
                When(done, then=Value(Status.COMPLETED)),
                default=Value(Status.STARTED),
            ),
            finished_at=Case(
                When(done, then=Value(now)),
                default=F("finished_at"),
                output_field=DateTimeField(),
            ),
            started_at=Case(
                When(done, then=F("started_at")),
                default=Value(now),
                output_field=DateTimeField(),
            ),
            attempts=Case(
                When(done, then=F("attempts")),
                default=F("attempts") + 1,
                output_field=IntegerField(),
            ),
        )
        return updated == len(rows) + len(next_rows)

    def step_retrying(
        self, row: SagaStep, attempt: int, error: BaseException | str
    ) -> None:
        """Record the attempt about to start and why the previous one failed."""
        last_error = error_text(error)
        self._check(self._steps(row).update(attempts=attempt, last_error=last_error))
        row.attempts, row.last_error = attempt, last_error
        self.renew_if_due()

    def step_ended(self, row: SagaStep, status: str, error: Any = None) -> None:
        """Record ``row`` failed, unknown, skipped (or settled by a reviewer)."""
        changes: dict[str, Any] = {"status": status}
        if error is not None:
            changes["last_error"] = error_text(error)
        if status in (Status.FAILED, Status.COMPLETED):
            changes["finished_at"] = self.clock.now()
        self._check(self._steps(row).update(**changes))
        for field, value in changes.items():
            setattr(row, field, value)

    def step_reviewed(
        self, row: SagaStep, *, status: str, note: str, reset_attempts: bool = False
    ) -> None:
        """Record a reviewer's decision about ``row`` (a retry starts afresh)."""
        changes: dict[str, Any] = {"status": status, "note": note}
        if reset_attempts:
            changes["attempts"] = 0
        self._check(self._steps(row).update(**changes))
        for field, value in changes.items():
            setattr(row, field, value)

    # -- backward ----------------------------------------------------------------

    def compensation_start(self, row: SagaStep, attempt: int) -> None:
        """Record ``row``'s compensation started (attempt number ``attempt``)."""
        self.renew_if_due()
        changes = {"status": Status.COMPENSATING, "compensation_attempts": attempt}
        self._check(self._steps(row).update(**changes))
        row.status, row.compensation_attempts = Status.COMPENSATING, attempt

    def compensation_retrying(
        self, row: SagaStep, attempt: int, error: BaseException | str
    ) -> None:
        """Record the compensation attempt about to start, and the last error."""
        last_error = error_text(error)
        changes = {"compensation_attempts": attempt, "last_error": last_error}
        self._check(self._steps(row).update(**changes))
        row.compensation_attempts, row.last_error = attempt, last_error
        self.renew_if_due()

    def compensation_done(self, row: SagaStep, state: Any) -> None:
        """Save the state if the compensation changed it, then mark ``row`` undone."""
        self.save_state(state)
        self._check(self._steps(row).update(status=Status.COMPENSATED))
        row.status = Status.COMPENSATED

    def save_state(self, state: Any) -> None:
        """Save ``state`` unless it is what is stored already."""
        data = self.saga.state_dump(state)
        if data != self.run.state:
            now = self.clock.now()
            self._check(self._held().update(state=data, **self._lease(now)))
            self.run.state = data

    # -- the run -----------------------------------------------------------------

    def run_compensating(self, *, reason: str, error: Any) -> None:
        """Turn the run around: from now on it undoes its completed steps."""
        self._run_update(
            status=SagaRun.Status.COMPENSATING,
            error_code=reason,
            error=error_text(error),
        )

    def run_finish(self, status: str) -> None:
        """Record the run completed or compensated and give up the lease."""
        changes: dict[str, Any] = {"status": status, "finished_at": self.clock.now()}
        if status == SagaRun.Status.COMPLETED:
            changes.update(error="", error_code="")
        self._run_update(release=True, **changes)

    def run_needs_review(self, *, reason: str, error: Any, step: str | None) -> None:
        """Stop the run for a person: status, outbox event, lease released at once."""
        with transaction.atomic():
            self._run_update(
                release=True,
                status=SagaRun.Status.NEEDS_REVIEW,
                error_code=reason,
                error=error_text(error),
            )
            message_emit(
                event_type="saga.needs_review",
                aggregate_type="saga_run",
                aggregate_id=str(self.run.pk),
                payload={
                    "saga": self.run.saga,
                    "operation_id": self.run.operation_id,
                    "step": step,
                    "reason": reason,
                    "error": self.run.error,
                },
            )

    def _run_update(self, *, release: bool = False, **changes: Any) -> None:
        now = self.clock.now()
        changes.update(updated_at=now)
        if release:
            changes.update(lease_owner="", lease_expires_at=None)
        self._check(self._held().update(**changes))
        for field, value in changes.items():
            setattr(self.run, field, value)
