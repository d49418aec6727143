"""Read saga runs: one or many by operation, and what a reviewer can do with one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from sagas.definition import Step
from sagas.exceptions import SagaNotFound
from sagas.models import SagaReviewAction, SagaRun, StepStatus
from sagas.records import StepRecord
from sagas.registry import get_saga
from sagas.timeline import TimelineEvent, timeline_of

RunStatus = SagaRun.Status
# Reasons that stop a run in the middle of its compensations.
COMPENSATIONS_STUCK = (
    SagaRun.Reason.COMPENSATION_FAILED,
    SagaRun.Reason.ON_COMPENSATED_FAILED,
)
HOOKS = {
    SagaRun.Reason.ON_COMPLETED_FAILED: "on_completed",
    SagaRun.Reason.ON_COMPENSATED_FAILED: "on_compensated",
}


# Runs waiting for a person first, then the newest.
QUEUE_ORDERING = (
    Case(
        When(status=RunStatus.NEEDS_REVIEW, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    ).asc(),
    F("created_at").desc(),
    F("id").desc(),
)


@dataclass(frozen=True)
class ReviewChoices:
    """What a reviewer can do with a run right now (empty when nothing is stuck)."""

    retry_compensations: bool
    retry_steps: list[str]
    resolve_steps: list[str]

    @property
    def any(self) -> bool:
        """Return whether any action applies."""
        return bool(self.retry_compensations or self.retry_steps or self.resolve_steps)


def run_review_queue() -> QuerySet[SagaRun]:
    """Return all runs, those waiting for a person first, then the newest."""
    return SagaRun.objects.order_by(*QUEUE_ORDERING)


def run_review_choices(*, run: SagaRun, steps: list[StepRecord]) -> ReviewChoices:
    """Return the review actions the engine would accept for ``run`` as it is."""
    if run.status != RunStatus.NEEDS_REVIEW:
        return ReviewChoices(False, [], [])
    stuck = [row.name for row in steps if _is_stuck(run, row)]
    hook = HOOKS.get(run.error_code)
    return ReviewChoices(
        retry_compensations=run.error_code in COMPENSATIONS_STUCK,
        retry_steps=[*stuck, hook] if hook else stuck,
        resolve_steps=stuck,
    )


def run_review_actions(*, run: SagaRun) -> QuerySet[SagaReviewAction]:
    """Return the audit trail of ``run``, oldest first, with the actors."""
    return run.review_actions.select_related("actor").order_by("id")


def run_saved_fields(*, run: SagaRun) -> dict[str, str]:
    """Return, per state field that a step declares it saves, that step's name.

    These are the external ids (charge, shipment ...) a compensation needs.
    """
    try:
        saga = get_saga(run.saga)
    except SagaNotFound:
        return {}
    return {name: flat.step.name for flat in saga.flat() for name in flat.step.saves}


def step_stuck(row: StepRecord, step: Step | None) -> bool:
    """Return whether ``row`` waits for a person: the one rule the review follows.

    Its outcome is unknown, its compensation kept failing, or it is a
    retriable-only step that kept failing (a compensable step that failed was
    compensated: nothing about it is left to decide).
    """
    if row.status in (StepStatus.UNKNOWN, StepStatus.NEEDS_REVIEW):
        return True
    return row.status == StepStatus.FAILED and step is not None and step.retriable_only


def _is_stuck(run: SagaRun, row: StepRecord) -> bool:
    try:
        step = get_saga(run.saga).step(row.name)
    except (SagaNotFound, KeyError):
        step = None
    return step_stuck(row, step)


def run_for(*, saga: str, operation_id: str) -> SagaRun | None:
    """Return the run of ``saga`` for ``operation_id``, if there is one."""
    return SagaRun.objects.filter(saga=saga, operation_id=operation_id).first()


def runs_for(*, saga: str, operation_ids: Iterable[str]) -> dict[str, SagaRun]:
    """Return the runs of ``saga`` for these operations, by operation id (one query).

    A run's steps are in its own row (``run.step_rows``): nothing more to read.
    """
    runs = SagaRun.objects.filter(saga=saga, operation_id__in=list(operation_ids))
    return {run.operation_id: run for run in runs}


def runs_in(*, saga: str | None = None) -> QuerySet[SagaRun]:
    """Return every run (of ``saga``, if given), newest first, for reports."""
    runs = SagaRun.objects.all()
    return runs.filter(saga=saga) if saga else runs


def run_timeline(*, run: SagaRun) -> list[TimelineEvent]:
    """Return what happened to ``run``, oldest first, from its row (no query).

    The steps going forward, each failed attempt with the pause after it,
    reconcile answers, the compensations in the order they ran, takeovers
    and reviews (see ``sagas.timeline``).
    """
    return timeline_of(run, run.step_rows)


def run_trace_url(*, run: SagaRun) -> str:
    """Return the address of the trace that recorded ``run`` ("" if unknown).

    ``SAGA_TRACE_URL`` is the tracing back end's page for a trace, with
    ``{trace_id}`` in it; without it (or without a trace) there is no link.
    """
    template = getattr(settings, "SAGA_TRACE_URL", "")
    if not template or not run.trace_id:
        return ""
    return template.format(trace_id=run.trace_id)
