"""The durable record of every saga run: its state, its steps' journal, its owner.

One row per run. The journal of its steps (status, attempts, times, last
error) and its timeline (failed attempts, reconcile answers, compensations,
takeovers) are JSON columns of that row, so recording a step is one UPDATE of
one row, fenced by the lease, in the same transaction as the step's own writes.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from sagas.records import StepRecord


class StepStatus(models.TextChoices):
    """Where one step of a run stands."""

    PENDING = "pending", "Pending"
    STARTED = "started", "Started"
    COMPLETED = "completed", "Completed"
    UNKNOWN = "unknown", "Outcome unknown"
    FAILED = "failed", "Failed"
    COMPENSATING = "compensating", "Compensating"
    COMPENSATED = "compensated", "Compensated"
    NEEDS_REVIEW = "needs_review", "Needs review"
    SKIPPED = "skipped", "Skipped"


class SagaRun(models.Model):
    """One execution of a saga for one operation: its state, owner and outcome.

    A saga runs at most once per operation: ``(saga, operation_id)`` is unique.
    Only the holder of the lease (``lease_owner`` until ``lease_expires_at``)
    may advance it; when the lease expires the recovery sweeper takes the run
    over, and ``takeovers`` counts how often that happened (a crash loop ends
    in review). ``steps`` maps each step's name to its journal entry (see
    ``sagas.records``); a step without an entry is pending.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPENSATING = "compensating", "Compensating"
        COMPLETED = "completed", "Completed"
        COMPENSATED = "compensated", "Compensated"
        NEEDS_REVIEW = "needs_review", "Needs review"

    class Reason(models.TextChoices):
        """Why a run is compensating, compensated or waiting for review."""

        STEP_FAILED = "step_failed", "A step failed"
        CANCELLED = "cancelled", "Cancelled"
        OUTCOME_UNKNOWN = "outcome_unknown", "A step's outcome is unknown"
        STEP_EXHAUSTED = "step_exhausted", "A retriable-only step kept failing"
        COMPENSATION_FAILED = "compensation_failed", "A compensation kept failing"
        ON_COMPLETED_FAILED = "on_completed_failed", "on_completed kept failing"
        ON_COMPENSATED_FAILED = "on_compensated_failed", "on_compensated kept failing"
        CRASH_LOOP = "crash_loop", "Its workers kept dying"

    saga = models.CharField(max_length=100)
    operation_id = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    state = models.JSONField(default=dict)
    steps = models.JSONField(default=dict)
    timeline = models.JSONField(default=list)
    # Where the run was recorded, as the installed tracer's carrier (W3C Trace
    # Context: traceparent, tracestate); empty when nothing was traced.
    trace_context = models.JSONField(default=dict, blank=True)
    lease_owner = models.CharField(max_length=200, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    takeovers = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["saga", "operation_id"], name="sagarun_once_per_operation"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["operation_id"]),
        ]
        permissions = [("review_sagarun", "Can act on saga runs that need review")]

    def __str__(self) -> str:
        return f"{self.saga} {self.operation_id} ({self.status})"

    @cached_property
    def step_rows(self) -> list[StepRecord]:
        """Return the run's steps in order, read from its journal.

        Built from ``steps`` and the saga's definition (a step the definition
        has and the journal lacks is pending). A runner replaces it with the
        records it keeps current as the run goes.
        """
        from sagas.records import step_records

        return step_records(self)

    @property
    def trace_id(self) -> str:
        """Return the id of the trace that recorded the run ("" if none was)."""
        # traceparent: version-trace_id-parent_id-flags
        parts = self.trace_context.get("traceparent", "").split("-")
        return parts[1] if len(parts) >= 4 else ""


ACTIVE_STATUSES = (SagaRun.Status.RUNNING, SagaRun.Status.COMPENSATING)


class SagaReviewAction(models.Model):
    """A person's action on a run under review: who, when, what, why, and the result.

    Written before the engine acts and completed after, so a crash in between
    still leaves a trace of who started what.
    """

    class Action(models.TextChoices):
        RETRY_COMPENSATIONS = "retry_compensations", "Retried the compensations"
        RETRY_STEP = "retry_step", "Retried a step"
        RESOLVE_STEP = "resolve_step", "Resolved a step by hand"

    run = models.ForeignKey(
        SagaRun, on_delete=models.CASCADE, related_name="review_actions"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    step_name = models.CharField(max_length=100, blank=True)
    # For a resolved step: what the reviewer says really happened.
    outcome = models.CharField(max_length=20, blank=True)
    note = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The run's status once the engine was done, or "refused" with its reason.
    result = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on run {self.run_id}"
