"""Errors of the Idempotency-Key protocol, each with a stable code for clients."""

from __future__ import annotations

from problems.errors import ApplicationError


class IdempotencyError(ApplicationError):
    """Base of the errors the Idempotency-Key middleware answers with."""

    code = "idempotency_error"


class IdempotencyKeyMissing(IdempotencyError):
    """The endpoint requires an Idempotency-Key header and none was sent."""

    code = "idempotency_key_missing"
    status = 400
    title = "This endpoint requires an Idempotency-Key header."


class IdempotencyKeyInvalid(IdempotencyError):
    """The Idempotency-Key header is not one key: repeated, a list, malformed."""

    code = "idempotency_key_invalid"
    status = 400
    title = "The Idempotency-Key header must hold one key of 1 to 255 characters."


class IdempotencyKeyReused(IdempotencyError):
    """The key was already used for a request with another body."""

    code = "idempotency_key_reused"
    status = 422
    title = "This Idempotency-Key was already used with a different request body."


class IdempotencyKeyInProgress(IdempotencyError):
    """A request with the same key is still running."""

    code = "idempotency_key_in_progress"
    status = 409
    title = "A request with this Idempotency-Key is still being processed."

    def __init__(self, message: str | None = None, *, retry_after: int) -> None:
        super().__init__(message)
        # Seconds until the running request's lock expires: the Retry-After value.
        self.retry_after = retry_after
