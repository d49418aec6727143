"""Errors of notifications, each with a stable code."""

from __future__ import annotations

from problems.errors import ApplicationError


class UnknownChannel(ApplicationError):
    code = "unknown_channel"
    status = 400
    title = "Notifications go by email, sms or push."
