"""Errors of the saga engine: a clean rollback is one kind, a stuck run another."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from config.errors import ApplicationError

if TYPE_CHECKING:
    from sagas.models import SagaRun


class BusinessError(ApplicationError):
    """A step refused for a business reason (card declined, out of stock).

    Retrying cannot help, so the engine never retries it: the saga compensates.
    Domain apps subclass it or declare their own types in ``Saga.business_errors``.
    """

    code = "business_error"
    status = 409
    title = "The operation was refused."


class SagaError(ApplicationError):
    """Base of the errors the engine raises about a run."""

    code = "saga_error"
    status = 409
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
    status = 500
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
    status = 404
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
    status = 400
    title = "A review action needs a note that says why."


class ReviewNotAllowed(SagaError):
    """The user may look at runs but lacks the permission to act on them."""

    code = "saga_review_not_allowed"
    status = 403
    title = "Acting on saga runs needs the permission sagas.review_sagarun."
