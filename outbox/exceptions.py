"""Errors of the outbox, each with the stable code callers match on."""

from __future__ import annotations

from problems.errors import ApplicationError


class OutboxError(ApplicationError):
    """Base of the errors the outbox raises."""

    code = "outbox_error"


class SignatureError(OutboxError):
    """Webhook headers are missing or malformed, stale, early, or do not match."""

    code = "webhook_signature_invalid"
    status = 400
    title = "The webhook signature is invalid."

    MALFORMED = "malformed"
    TOO_OLD = "too_old"
    TOO_NEW = "too_new"
    MISMATCH = "mismatch"
    REASONS = {
        MALFORMED: "The webhook-id, webhook-timestamp or webhook-signature header "
        "is missing or malformed.",
        TOO_OLD: "The signature timestamp is older than the tolerance.",
        TOO_NEW: "The signature timestamp is further in the future than allowed.",
        MISMATCH: "No signature matches the body and secret.",
    }

    def __init__(self, reason: str) -> None:
        super().__init__(self.REASONS[reason], reason=reason)
        self.reason = reason
