"""Rate limits of the orders API: checkouts per user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request

from throttling.throttles import WindowRateThrottle


class CheckoutThrottle(WindowRateThrottle):
    """Limit each user's checkouts to CHECKOUT_THROTTLE_RATE (e.g. "60/min").

    Counted in the shared cache, so the limit is one for every web process
    (see throttling.counters); gunicorn refuses to start several workers on a
    per-process cache (gunicorn.conf.py).
    """

    scope = "checkout"

    def get_rate(self) -> str:
        return settings.CHECKOUT_THROTTLE_RATE

    def get_ident_key(self, request: Request, view: Any) -> str | None:
        return str(request.user.pk) if request.user.is_authenticated else None
