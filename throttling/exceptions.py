"""Errors of the rate limits, each with a stable code for clients."""

from __future__ import annotations

from problems.errors import ApplicationError


class LoginThrottled(ApplicationError):
    """Too many failed logins for this user name or from this address."""

    # The code DRF's own throttles answer with: one code for "slow down".
    code = "throttled"
    status = 429
    title = "Too many failed login attempts; wait for Retry-After seconds."

    def __init__(self, *, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after
