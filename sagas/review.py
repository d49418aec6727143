"""A person's review actions on a stuck run, with a note, an audit row and a log entry.

Each function checks the permission and the note, records who asked for what in
``SagaReviewAction``, calls one engine service (which alone changes statuses),
then completes the record with the result and writes Django's admin log.
The record is written before the engine acts on purpose: the engine commits
step by step, so a crash half way must still leave who started the action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry

from sagas.definition import Outcome
from sagas.exceptions import (
    InvalidReviewAction,
    ReviewNotAllowed,
    ReviewNoteRequired,
    SagaError,
    SagaNotFound,
)
from sagas.models import SagaReviewAction, SagaRun
from sagas.services import (
    saga_resolve_step,
    saga_retry_compensations,
    saga_retry_step,
)

REVIEW_PERMISSION = "sagas.review_sagarun"
REFUSED = "refused"
Action = SagaReviewAction.Action


def review_allowed(*, user: Any) -> bool:
    """Return whether ``user`` may act on runs under review (not only look)."""
    return bool(user and user.is_active and user.has_perm(REVIEW_PERMISSION))


def review_retry_compensations(*, run_id: int, user: Any, note: str) -> SagaRun:
    """Run the failed compensations of ``run_id`` again, once the fault is gone."""
    return _review(
        run_id=run_id,
        user=user,
        note=note,
        action=Action.RETRY_COMPENSATIONS,
        act=lambda actor: saga_retry_compensations(run_id=run_id, actor=actor),
    )


def review_retry_step(*, run_id: int, step_name: str, user: Any, note: str) -> SagaRun:
    """Try the stuck step ``step_name`` again with its same idempotency key."""
    return _review(
        run_id=run_id,
        user=user,
        note=note,
        action=Action.RETRY_STEP,
        step_name=step_name,
        act=lambda actor: saga_retry_step(
            run_id=run_id, step_name=step_name, actor=actor
        ),
    )


def review_resolve_step(
    *, run_id: int, step_name: str, outcome: Outcome | str, user: Any, note: str
) -> SagaRun:
    """Record what really happened to ``step_name`` (checked by hand) and go on."""
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise InvalidReviewAction(
            "Say whether it happened: completed or not_happened.", run_id=run_id
        ) from None
    return _review(
        run_id=run_id,
        user=user,
        note=note,
        action=Action.RESOLVE_STEP,
        step_name=step_name,
        outcome=str(outcome),
        act=lambda actor: saga_resolve_step(
            run_id=run_id,
            step_name=step_name,
            outcome=outcome,
            actor=actor,
            note=note.strip(),
        ),
    )


def _review(
    *,
    run_id: int,
    user: Any,
    note: str,
    action: str,
    act: Callable[[str], SagaRun],
    step_name: str = "",
    outcome: str = "",
) -> SagaRun:
    if not review_allowed(user=user):
        raise ReviewNotAllowed(run_id=run_id)
    note = (note or "").strip()
    if not note:
        raise ReviewNoteRequired(run_id=run_id)
    run = SagaRun.objects.filter(pk=run_id).first()
    if run is None:
        raise SagaNotFound(run_id=run_id)
    record = SagaReviewAction.objects.create(
        run=run,
        action=action,
        step_name=step_name,
        outcome=outcome,
        note=note,
        actor=user,
    )
    try:
        run = act(f"admin:{user.get_username()}")
    except SagaError as error:
        _finish(record, run, result=REFUSED, error=error.message)
        raise
    stuck = run.status == SagaRun.Status.NEEDS_REVIEW
    _finish(record, run, result=run.status, error=run.error if stuck else "")
    return run


def _finish(record: SagaReviewAction, run: SagaRun, *, result: str, error: str) -> None:
    """Complete the audit row and mirror it in Django's admin log."""
    record.result, record.error = result, error
    record.save(update_fields=["result", "error"])
    what = record.get_action_display()
    if record.step_name:
        what += f" {record.step_name}"
    if record.outcome:
        what += f" ({record.outcome})"
    LogEntry.objects.log_actions(
        user_id=record.actor_id,
        queryset=[run],
        action_flag=CHANGE,
        change_message=f"{what} -> {result}: {record.note}",
        single_object=True,
    )
