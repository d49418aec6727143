"""Errors of the customer service desk, each with a stable code."""

from __future__ import annotations

from problems.errors import ApplicationError


class NothingToResend(ApplicationError):
    code = "nothing_to_resend"
    status = 409
    title = "The order has sent no message yet: it has not shipped."


class NoRecipient(ApplicationError):
    code = "no_recipient"
    status = 409
    title = "The order has no recipient for this channel."
