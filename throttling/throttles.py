"""DRF throttles counted by ``throttling.counters``: one limit across all processes."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from throttling.counters import Hit, Rate, counter_hit


class WindowRateThrottle(BaseThrottle):
    """Allow ``get_rate()`` requests per window for each ``get_ident_key()``.

    Subclasses name a ``scope`` and say whom a request counts against; the
    count is atomic in the shared cache (see ``throttling.counters``).
    """

    scope = ""

    def __init__(self) -> None:
        self.hit: Hit | None = None

    def get_rate(self) -> str:
        """Return the rate, e.g. ``"60/min"``: read per request, not at import."""
        raise NotImplementedError

    def get_ident_key(self, request: Request, view: Any) -> str | None:
        """Return whom this request counts against, or None to not count it."""
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        ident = self.get_ident_key(request, view)
        if ident is None:
            return True
        rate = Rate.parse(self.get_rate())
        self.hit = counter_hit(scope=self.scope, ident=ident, rate=rate)
        return self.hit.allowed

    def wait(self) -> float | None:
        """Return the seconds until the window ends (DRF's Retry-After)."""
        return None if self.hit is None else self.hit.retry_after
