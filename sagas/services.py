"""The saga engine's public entry points: start, resume, cancel, recover, review.

Start, resume and recover report a failure by raising (``StepError`` after a
clean rollback, ``NeedsReview`` when a person is needed). Cancel and the review
actions are a person's requests: they return the run, whose status tells how it
ended, and raise only when the request itself does not apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from sagas.clock import Clock, get_clock
from sagas.definition import Outcome, Saga, Step
from sagas.exceptions import (
    InvalidReviewAction,
    NeedsReview,
    SagaNotCancellable,
    SagaNotFound,
    StepError,
)
from sagas.lease import lease_acquire, lease_owner_new, lease_ttl
from sagas.models import ACTIVE_STATUSES, SagaRun, SagaStep
from sagas.receivers import log_fields
from sagas.recovery import runs_recover
from sagas.registry import get_saga
from sagas.runner import Runner
from sagas.selectors import COMPENSATIONS_STUCK, HOOKS, step_stuck
from sagas.signals import step_started

logger = logging.getLogger("sagas")
RunStatus, StepStatus = SagaRun.Status, SagaStep.Status


def saga_start(
    *, saga: Saga | str, operation_id: str, state: Any, execute: bool = True
) -> SagaRun:
    """Create the run of ``saga`` for ``operation_id``; run it now if ``execute``.

    An ``operation_id`` that already has a run returns that run: never a second.
    With ``execute=False`` the run is only recorded (inside the caller's
    transaction, if any) for a worker to ``saga_resume``; if none does, the
    sweeper picks it up once its lease period has passed.
    """
    try:
        # durable when executing: each step's bookkeeping must commit before its
        # action, which a caller's enclosing transaction would prevent.
        with transaction.atomic(durable=execute):
            new = saga_record(
                saga=saga, operation_id=operation_id, state=state, claim=execute
            )
    except IntegrityError:
        name = saga if isinstance(saga, str) else saga.name
        existing = SagaRun.objects.filter(operation_id=operation_id).first()
        if existing is None or existing.saga != name:
            raise
        return existing
    return new.execute() if execute else new.run


@dataclass(frozen=True)
class NewRun:
    """A run just recorded (``run.step_rows`` holds its steps), not yet run."""

    run: SagaRun
    saga: Saga
    clock: Clock

    def execute(self) -> SagaRun:
        """Run it in this process: call only after the recording transaction.

        Raise as ``saga_start`` does (``StepError``, ``NeedsReview``).
        """
        if not self.run.lease_owner:
            raise RuntimeError("This run was recorded for a worker, not claimed.")
        rows = self.run.step_rows
        runner = Runner(
            run=self.run,
            rows=rows,
            saga=self.saga,
            owner=self.run.lease_owner,
            clock=self.clock,
        )
        first = rows[0]
        if first.status == StepStatus.STARTED:
            runner.started_here.add(first.name)
            runner.signal(step_started, step=first.name, attempt=first.attempts)
        return runner.execute()


def saga_record(
    *, saga: Saga | str, operation_id: str, state: Any, claim: bool = False
) -> NewRun:
    """Record a new run of ``saga`` in the caller's transaction; do not run it.

    With ``claim`` this process holds the run's lease and its first step is
    recorded started: call ``execute()`` on the result once the transaction has
    committed (if this process dies first, the sweeper resumes the run when the
    lease expires). Without, a worker runs it through ``saga_resume``. Recording
    it with the caller's own rows means neither exists without the other. An
    operation that already has a run raises ``IntegrityError``.
    """
    definition = saga if isinstance(saga, Saga) else get_saga(saga)
    if not isinstance(state, definition.state_type):
        raise TypeError(f"state must be a {definition.state_type.__name__}.")
    clock = get_clock()
    owner = lease_owner_new() if claim else ""
    run, rows = _run_build(definition, operation_id, state, owner, clock.now(), claim)
    run.save(force_insert=True)
    SagaStep.objects.bulk_create(rows)
    run.step_rows = rows
    return NewRun(run=run, saga=definition, clock=clock)


def saga_resume(*, run_id: int) -> SagaRun:
    """Continue a run if its lease is free or expired; else return it as it is."""
    run = _run_get(pk=run_id)
    if run.status not in ACTIVE_STATUSES:
        return run
    owner, clock = lease_owner_new(), get_clock()
    if not lease_acquire(run_id=run.pk, owner=owner, now=clock.now()):
        run.refresh_from_db()
        return run
    return Runner.load(run.pk, owner=owner, clock=clock).execute()


def saga_recover(*, now: datetime | None = None, limit: int = 100) -> int:
    """Resume active runs whose lease expired; return how many were resumed."""
    return runs_recover(now=now, limit=limit)


def saga_cancel(*, operation_id: str, actor: str) -> SagaRun:
    """Request that a run be undone.

    If no worker holds the run, compensate it now; otherwise flag it, and its
    worker compensates before its next step. A run past its pivot cannot be
    cancelled; an already compensated run is returned unchanged.
    """
    run = _run_get(operation_id=operation_id)
    if run.status == RunStatus.COMPENSATED:
        return run
    if run.status == RunStatus.COMPLETED:
        raise SagaNotCancellable("The saga has completed.", run=run)
    if run.status == RunStatus.NEEDS_REVIEW:
        raise SagaNotCancellable("The saga waits for a review.", run=run)
    pivot = get_saga(run.saga).pivot
    if pivot and run.steps.filter(name=pivot, status=StepStatus.COMPLETED).exists():
        raise SagaNotCancellable(run=run, pivot=pivot)
    clock = get_clock()
    flagged = SagaRun.objects.filter(pk=run.pk, status__in=ACTIVE_STATUSES)
    flagged.update(cancel_requested=True, updated_at=clock.now())
    logger.info("cancellation requested by %s", actor, extra=log_fields(run))
    owner = lease_owner_new()
    if lease_acquire(run_id=run.pk, owner=owner, now=clock.now()):
        return _settle(Runner.load(run.pk, owner=owner, clock=clock))
    run.refresh_from_db()
    return run


def saga_retry_compensations(*, run_id: int, actor: str) -> SagaRun:
    """Run the compensations of a run stuck in them again (the fault is gone)."""
    run = _under_review(run_id)
    if run.error_code not in COMPENSATIONS_STUCK:
        raise InvalidReviewAction("The run did not stop in its compensations.", run=run)
    logger.info("compensations retried by %s", actor, extra=log_fields(run))
    return _settle(_take_for_review(run, RunStatus.COMPENSATING))


def saga_retry_step(*, run_id: int, step_name: str, actor: str) -> SagaRun:
    """Try a stuck step again with the same key (a compensation: its undo)."""
    run = _under_review(run_id)
    extra = log_fields(run, step_name)
    logger.info("step %s retried by %s", step_name, actor, extra=extra)
    hook = HOOKS.get(run.error_code)
    if step_name == hook == "on_completed":
        return _settle(_take_for_review(run, RunStatus.RUNNING))
    if step_name == hook == "on_compensated":
        return saga_retry_compensations(run_id=run_id, actor=actor)
    row, _ = _stuck_row(run, step_name)
    if row.status == StepStatus.NEEDS_REVIEW:
        return saga_retry_compensations(run_id=run_id, actor=actor)
    runner = _take_for_review(run, RunStatus.RUNNING)
    runner.journal.step_reviewed(
        runner.rows[step_name],
        status=StepStatus.PENDING,
        note=f"retried by {actor}",
        reset_attempts=True,
    )
    return _settle(runner)


def saga_resolve_step(
    *, run_id: int, step_name: str, outcome: Outcome | str, actor: str, note: str
) -> SagaRun:
    """Record what really happened to a stuck step, and let the run go on.

    For a step whose outcome was unknown (or a retriable-only step that kept
    failing): COMPLETED continues forward; NOT_HAPPENED compensates (or, for a
    retriable-only step, skips it). For a compensation that kept failing, either
    outcome means "nothing is left to undo here": the compensations continue.
    """
    outcome = Outcome(outcome)
    if outcome is Outcome.UNKNOWN:
        raise InvalidReviewAction("Say whether it happened.", outcome=outcome)
    run = _under_review(run_id)
    row, step = _stuck_row(run, step_name)
    text = f"{outcome} (by {actor}): {note}"
    extra = log_fields(run, step_name)
    logger.info("step %s resolved: %s", step_name, text, extra=extra)
    if row.status == StepStatus.NEEDS_REVIEW:
        run_status, step_status = RunStatus.COMPENSATING, StepStatus.COMPENSATED
    elif outcome is Outcome.COMPLETED:
        run_status, step_status = RunStatus.RUNNING, StepStatus.COMPLETED
    else:
        # Not happened: a compensable step failed (the forward pass turns the
        # run around); a retriable-only one is given up.
        retriable = step.retriable_only
        run_status = RunStatus.RUNNING
        step_status = StepStatus.SKIPPED if retriable else StepStatus.FAILED
    runner = _take_for_review(run, run_status)
    runner.journal.step_reviewed(runner.rows[step_name], status=step_status, note=text)
    return _settle(runner)


# -- shared by the services above ------------------------------------------------


def _run_build(
    saga: Saga,
    operation_id: str,
    state: Any,
    owner: str,
    now: datetime,
    execute: bool,
) -> tuple[SagaRun, list[SagaStep]]:
    """Return a new run and its step rows, unsaved."""
    run = SagaRun(
        operation_id=operation_id,
        saga=saga.name,
        state=saga.state_dump(state),
        lease_owner=owner,
        lease_expires_at=now + lease_ttl(),
    )
    rows = [
        SagaStep(
            run=run,
            name=flat.step.name,
            position=flat.position,
            group=flat.group,
            idempotency_key=saga.idempotency_key(operation_id, flat.step.name),
        )
        for flat in saga.flat()
    ]
    # Executing now: the run is born with its first step started, which saves a
    # write (the step's action still runs only after this commits).
    if execute and isinstance(saga.steps[0], Step):
        rows[0].status = StepStatus.STARTED
        rows[0].attempts, rows[0].started_at = 1, now
    return run, rows


def _run_get(**lookup: Any) -> SagaRun:
    run = SagaRun.objects.filter(**lookup).first()
    if run is None:
        raise SagaNotFound(**{key: str(value) for key, value in lookup.items()})
    return run


def _under_review(run_id: int) -> SagaRun:
    run = _run_get(pk=run_id)
    if run.status != RunStatus.NEEDS_REVIEW:
        raise InvalidReviewAction("The run does not need a review.", run=run)
    return run


def _stuck_row(run: SagaRun, step_name: str) -> tuple[SagaStep, Step]:
    """Return the row and step of ``step_name`` if it waits for a person."""
    row = run.steps.filter(name=step_name).first()
    if row is None:
        raise InvalidReviewAction(f"The run has no step {step_name!r}.", run=run)
    step = get_saga(run.saga).step(step_name)
    if not step_stuck(row, step):
        raise InvalidReviewAction(f"Step {step_name!r} is not stuck.", run=run)
    return row, step


def _take_for_review(run: SagaRun, new_status: str) -> Runner:
    """Take the lease of a run under review, moving it to ``new_status`` at once."""
    owner, clock = lease_owner_new(), get_clock()
    taken = lease_acquire(
        run_id=run.pk,
        owner=owner,
        now=clock.now(),
        statuses=[RunStatus.NEEDS_REVIEW],
        new_status=new_status,
    )
    if not taken:
        raise InvalidReviewAction("Someone else is acting on this run.", run=run)
    return Runner.load(run.pk, owner=owner, clock=clock)


def _settle(runner: Runner) -> SagaRun:
    """Run ``runner``; its run's status, not an exception, says how it ended."""
    try:
        return runner.execute()
    except (StepError, NeedsReview) as exc:
        return exc.run
