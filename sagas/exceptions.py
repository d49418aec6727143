"""Errors of the saga engine: a clean rollback is one kind, a stuck run another.

The engine's errors are its own (it imports nothing of the project that uses
it). Each has a stable ``code``, a ``title`` and data about the run in
``extra``, so that a project can show them, or turn them into its own errors
at its boundary (an API answer, say).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sagas.models import SagaRun


class EngineError(Exception):
    """An error with a stable code, a title, a message and data about it."""

    code = "saga_engine_error"
    title = "The saga engine refused."

    def __init__(self, message: str | None = None, **extra: Any) -> None:
        self.message = message or self.title
        self.extra = extra
        super().__init__(self.message)


class BusinessError(EngineError):
    """A step refused for a business reason (card declined, out of stock).

    Retrying cannot help, so the engine never retries it: the saga compensates.
    Projects subclass it or declare their own types in ``Saga.business_errors``.
    """

    code = "business_error"
    title = "The operation was refused."


class SagaError(EngineError):
    """Base of the errors the engine raises about a run."""

    code = "saga_error"
    title = "The saga could not be completed."

    def __init__(
        self, message: str | None = None, *, run: SagaRun | None = None, **extra: Any
    ) -> None:
        self.run = run
        if run is not None:
            extra.setdefault("operation_id", run.operation_id)
            extra.setdefault("run_id", run.pk)
        super().__init__(message, **extra)


class StepError(SagaError):
    """A step refused for a business reason where nothing was left to undo.

    Raised when one of the local steps a new run begins with (run in the
    caller's transaction, see ``saga_record``) refuses: the caller's
    transaction rolls back and nothing of the run is kept. A refusal later on
    is an outcome, not an exception: the run compensates and its
    ``RunResult`` says so. The original exception is ``error`` and the
    ``__cause__``.
    """

    code = "saga_step_refused"
    title = "A step refused before anything needed undoing."

    def __init__(
        self,
        message: str | None = None,
        *,
        step: str,
        error: BaseException | None = None,
        **kwargs: Any,
    ) -> None:
        self.step, self.error = step, error
        super().__init__(message, step=step, **kwargs)


class NeedsReview(SagaError):
    """The run stopped and waits for a person (see ``SagaRun.error_code``)."""

    code = "saga_needs_review"
    title = "The saga stopped and needs a person to review it."

    def __init__(
        self, message: str | None = None, *, step: str | None = None, **kwargs: Any
    ) -> None:
        self.step = step
        super().__init__(message, step=step, **kwargs)


class OutcomeUnknown(NeedsReview):
    """Nobody can tell whether a step's effect happened (timeout or crash)."""

    code = "saga_outcome_unknown"
    title = "Whether a step took effect is unknown; a person must check."


class CompensationError(NeedsReview):
    """A compensation kept failing: the rollback is stuck half way."""

    code = "saga_compensation_failed"
    title = "A compensation kept failing; a person must finish the rollback."


class LeaseLost(SagaError):
    """Another worker took over the run: this one must stop writing at once."""

    code = "saga_lease_lost"
    title = "Another worker now owns this saga run."


class SagaNotFound(SagaError):
    """No such run, or no saga registered under that name."""

    code = "saga_not_found"
    title = "No such saga run."


class SagaNotCancellable(SagaError):
    """The run went past its pivot (or finished), so it can no longer be undone."""

    code = "saga_not_cancellable"
    title = "The saga went past its point of no return and cannot be cancelled."


class InvalidReviewAction(SagaError):
    """A review action that does not apply to the run as it is now."""

    code = "saga_invalid_review_action"
    title = "This action does not apply to the saga run in its current state."


class ReviewNoteRequired(SagaError):
    """A review action came without a note saying why."""

    code = "saga_review_note_required"
    title = "A review action needs a note that says why."


class ReviewNotAllowed(SagaError):
    """The user may look at runs but lacks the permission to act on them."""

    code = "saga_review_not_allowed"
    title = "Acting on saga runs needs the permission sagas.review_sagarun."
