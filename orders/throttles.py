"""Rate limits of the orders API: checkouts per user."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class CheckoutThrottle(UserRateThrottle):
    """Limit each user's checkouts to CHECKOUT_THROTTLE_RATE (e.g. "60/min").

    The counts live in the default cache: per process with LocMemCache, shared
    by every web process with Redis (see CACHES in the settings).
    """

    scope = "checkout"

    def get_rate(self) -> str:
        # DRF reads its rates once, at import; this one follows the settings.
        return settings.CHECKOUT_THROTTLE_RATE
