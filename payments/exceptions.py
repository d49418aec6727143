"""Errors of payments, each with a stable code."""

from __future__ import annotations

from problems.errors import ApplicationError


class PaymentDeclined(ApplicationError):
    """The card was declined: a business answer, never worth retrying."""

    code = "payment_declined"
    status = 402
    title = "The card was declined."


class InvalidPaymentToken(PaymentDeclined):
    """The token names no card the processor knows: declined as well."""

    code = "invalid_payment_token"
    title = "The payment token is not valid."


class InvalidAmount(ApplicationError):
    code = "invalid_amount"
    status = 400
    title = "Amounts are positive integers in minor units, with an ISO 4217 currency."


class IdempotencyKeyReused(ApplicationError):
    """A key was sent again with different parameters: the processor refuses it."""

    code = "idempotency_key_reused"
    status = 409
    title = "This idempotency key was used for a different request."


class RefundExceedsCharge(ApplicationError):
    code = "refund_exceeds_charge"
    status = 409
    title = "The refund is larger than what remains of the charge."


class ChargeNotFound(ApplicationError):
    code = "charge_not_found"
    status = 404
    title = "The processor knows no such charge."


class LedgerMismatch(ApplicationError):
    """The processor's record disagrees with what we asked for: needs a human."""

    code = "ledger_mismatch"
    status = 409
    title = "The processor's record does not match our ledger."
