"""The durable record of every saga run and of each of its steps."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models


class SagaRun(models.Model):
    """One execution of a saga for one operation: its state, owner and outcome.

    ``operation_id`` is unique, so the same operation can never run twice. Only the
    holder of the lease (``lease_owner`` until ``lease_expires_at``) may advance it;
    when the lease expires the recovery sweeper takes the run over.
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

    operation_id = models.CharField(max_length=200, unique=True)
    saga = models.CharField(max_length=100)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    state = models.JSONField(default=dict)
    lease_owner = models.CharField(max_length=200, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "lease_expires_at"])]
        permissions = [("review_sagarun", "Can act on saga runs that need review")]

    def __str__(self) -> str:
        return f"{self.saga} {self.operation_id} ({self.status})"

    @cached_property
    def step_rows(self) -> list[SagaStep]:
        """Return the run's steps in order.

        Read once (or taken from ``prefetch_related("steps")``). A runner sets
        it to the rows it keeps current, so whoever reports on a run it just
        advanced reads no step twice.
        """
        return list(self.steps.all())


ACTIVE_STATUSES = (SagaRun.Status.RUNNING, SagaRun.Status.COMPENSATING)


class SagaStep(models.Model):
    """The progress of one step of a run, written before and after its action."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        STARTED = "started", "Started"
        COMPLETED = "completed", "Completed"
        UNKNOWN = "unknown", "Outcome unknown"
        FAILED = "failed", "Failed"
        COMPENSATING = "compensating", "Compensating"
        COMPENSATED = "compensated", "Compensated"
        NEEDS_REVIEW = "needs_review", "Needs review"
        SKIPPED = "skipped", "Skipped"

    run = models.ForeignKey(SagaRun, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField()
    group = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    compensation_attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # What a reviewer said when they settled this step by hand.
    note = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=400)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "name"], name="sagastep_run_name"),
            models.UniqueConstraint(
                fields=["run", "position"], name="sagastep_run_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name} ({self.status})"


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
