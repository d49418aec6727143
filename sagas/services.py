"""The saga engine's public entry points: start, resume, cancel, recover, review.

Start and resume return a ``RunResult``: a completed run and a clean rollback
are both outcomes. A run that stops for a person raises ``NeedsReview`` (loud
on purpose: somebody must act). Cancel and the review actions are a person's
requests: they return the run, whose status tells how it ended, and raise only
when the request itself does not apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

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
from sagas.models import ACTIVE_STATUSES, SagaRun, StepStatus
from sagas.receivers import log_fields
from sagas.records import StepRecord
from sagas.recovery import runs_recover
from sagas.registry import get_saga
from sagas.results import RunResult
from sagas.runner import Runner
from sagas.selectors import COMPENSATIONS_STUCK, HOOKS, step_stuck

logger = logging.getLogger("sagas")
RunStatus = SagaRun.Status
# Once the pivot is marked started, a cancellation can no longer stop it.
PIVOT_BEGUN = [StepStatus.STARTED, StepStatus.COMPLETED]


def saga_start(
    *, saga: Saga | str, operation_id: str, state: Any, execute: bool = True
) -> RunResult:
    """Create the run of ``saga`` for ``operation_id``; run it now if ``execute``.

    An operation that already has a run of this saga returns that run: never a
    second. With ``execute=False`` the run is only recorded (inside the
    caller's transaction, if any) for a worker to ``saga_resume``; if none
    does, the sweeper picks it up once its lease period has passed. A run
    that completes or rolls back returns its ``RunResult``; one that needs a
    person raises ``NeedsReview``; a refusal of the local steps it begins with
    raises ``StepError`` and leaves nothing behind.
    """
    definition = saga if isinstance(saga, Saga) else get_saga(saga)
    try:
        # durable when executing: the steps' own transactions come after this
        # one, which a caller's enclosing transaction would prevent.
        with transaction.atomic(durable=execute):
            new = saga_record(
                saga=definition, operation_id=operation_id, state=state, claim=execute
            )
    except IntegrityError:
        existing = SagaRun.objects.filter(
            saga=definition.name, operation_id=operation_id
        ).first()
        if existing is None:
            raise
        return RunResult(existing)
    return new.execute() if execute else RunResult(new.run)


@dataclass(frozen=True)
class NewRun:
    """A run just recorded (``run.step_rows`` holds its steps), not yet run on."""

    run: SagaRun
    saga: Saga
    clock: Clock
    runner: Runner

    def execute(self) -> RunResult:
        """Run it in this process: call only once the recording transaction committed.

        Return its ``RunResult``, or raise as ``saga_start`` does.
        """
        if not self.run.lease_owner:
            raise RuntimeError("This run was recorded for a worker, not claimed.")
        return self.runner.execute()


def saga_record(
    *, saga: Saga | str, operation_id: str, state: Any, claim: bool = False
) -> NewRun:
    """Record a new run of ``saga`` in the caller's transaction, with its first steps.

    The local steps the saga begins with run here, in the caller's
    transaction: their writes, the run's row and the caller's own rows commit
    together. If one refuses (a business error), ``StepError`` is raised and
    the caller's transaction must roll back: nothing of the run is kept. With
    ``claim`` this process holds the run's lease: call ``execute()`` on the
    result once the transaction has committed (if this process dies first,
    the sweeper resumes the run when the lease expires). Without, a worker
    runs it through ``saga_resume``. An operation that already has a run of
    this saga raises ``IntegrityError``.
    """
    definition = saga if isinstance(saga, Saga) else get_saga(saga)
    if not isinstance(state, definition.state_type):
        raise TypeError(f"state must be a {definition.state_type.__name__}.")
    clock = get_clock()
    owner = lease_owner_new() if claim else ""
    run = SagaRun(
        operation_id=operation_id,
        saga=definition.name,
        state=definition.state_dump(state),
        lease_owner=owner,
        lease_expires_at=clock.now() + lease_ttl(),
    )
    runner = Runner(run=run, saga=definition, owner=owner, clock=clock)
    runner.begin(claim=claim)
    return NewRun(run=run, saga=definition, clock=clock, runner=runner)


def saga_resume(*, run_id: int) -> RunResult:
    """Continue a run if its lease is free or expired; else return it as it is."""
    run = _run_get(pk=run_id)
    if run.status not in ACTIVE_STATUSES:
        return RunResult(run)
    owner, clock = lease_owner_new(), get_clock()
    if not lease_acquire(run_id=run.pk, owner=owner, now=clock.now()):
        run.refresh_from_db()
        return RunResult(run)
    # The run just read is the one we leased: nothing moved it in between,
    # since every writer needs the lease.
    run.lease_owner = owner
    return Runner(run=run, saga=get_saga(run.saga), owner=owner, clock=clock).execute()


def saga_recover(*, now: datetime | None = None, limit: int = 100) -> int:
    """Resume active runs whose lease expired; return how many were resumed."""
    return runs_recover(now=now, limit=limit)


def saga_cancel(*, saga: Saga | str, operation_id: str, actor: str) -> SagaRun:
    """Request that a run be undone; return it as it stands.

    If no worker holds the run, compensate it now; otherwise flag it, and its
    worker compensates at its next commit. Once the pivot has begun (it is
    marked started when the step before it commits), ``SagaNotCancellable``
    is raised: a cancellation is honoured or refused, never accepted and then
    forgotten. An already compensated run is returned unchanged.
    """
    definition = saga if isinstance(saga, Saga) else get_saga(saga)
    run = _run_get(saga=definition.name, operation_id=operation_id)
    if run.status == RunStatus.COMPENSATED:
        return run
    if run.status == RunStatus.COMPLETED:
        raise SagaNotCancellable("The saga has completed.", run=run)
    if run.status == RunStatus.NEEDS_REVIEW:
        raise SagaNotCancellable("The saga waits for a review.", run=run)
    clock = get_clock()
    flagged = SagaRun.objects.filter(pk=run.pk, status__in=ACTIVE_STATUSES)
    pivot = definition.pivot
    if pivot:
        # One conditional UPDATE, so that it and the worker's commit that marks
        # the pivot started cannot both succeed: one of them comes first.
        status = f"steps__{pivot}__status"
        not_begun = Q(**{f"{status}__isnull": True}) | ~Q(
            **{f"{status}__in": PIVOT_BEGUN}
        )
        flagged = flagged.filter(not_begun)
    if not flagged.update(cancel_requested=True, updated_at=clock.now()):
        run.refresh_from_db()
        if pivot and run.steps.get(pivot, {}).get("status") in PIVOT_BEGUN:
            raise SagaNotCancellable(run=run, pivot=pivot)
        raise SagaNotCancellable(f"The saga is {run.status}.", run=run)
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
    _reviewed(runner, step_name, StepStatus.PENDING, f"retried by {actor}", reset=True)
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
    _reviewed(runner, step_name, step_status, text)
    return _settle(runner)


# -- shared by the services above ------------------------------------------------


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


def _stuck_row(run: SagaRun, step_name: str) -> tuple[StepRecord, Step]:
    """Return the record and step of ``step_name`` if it waits for a person."""
    row = next((row for row in run.step_rows if row.name == step_name), None)
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


def _reviewed(
    runner: Runner, step_name: str, status: str, note: str, *, reset: bool = False
) -> None:
    """Write a reviewer's decision about ``step_name`` in the run's journal."""
    record = runner.records[step_name]
    record.status, record.note = status, note
    if reset:
        record.attempts = 0
    runner.journal.event("reviewed", step_name, status=status, note=note)
    runner.journal.write()


def _settle(runner: Runner) -> SagaRun:
    """Run ``runner``; its run's status, not an exception, says how it ended."""
    try:
        return runner.execute().run
    except (StepError, NeedsReview) as exc:
        return exc.run
