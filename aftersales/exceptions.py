"""Errors of returns and refunds, each with a stable code."""

from __future__ import annotations

from problems.errors import ApplicationError


class AftersalesError(ApplicationError):
    code = "aftersales_error"


class RefundNotAllowed(AftersalesError):
    """The order's money cannot go back here: not shipped, or nothing left."""

    code = "refund_not_allowed"
    status = 409
    title = "This order cannot be refunded."


class RefundTooLarge(AftersalesError):
    code = "refund_too_large"
    status = 422
    title = "The refund is larger than what remains refundable."


class ReturnNotAllowed(AftersalesError):
    code = "order_not_shipped"
    status = 409
    title = "Only a shipped order can be returned."


class ReturnWindowClosed(AftersalesError):
    code = "return_window_closed"
    status = 409
    title = "The return window of this order has closed."


class ReturnTooLarge(AftersalesError):
    code = "return_exceeds_shipped"
    status = 422
    title = "More units than were shipped and not yet returned."


class InvalidReturn(AftersalesError):
    code = "invalid_return"
    status = 422
    title = "A return names shipped SKUs of the order, each with a positive quantity."
