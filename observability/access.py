"""Who may read /metrics: anyone by default, else a bearer token or a staff session.

The figures are business data (orders by state, money in review, failure
rates), so production settings close the endpoint (METRICS_PUBLIC = False).
Prometheus then sends ``Authorization: Bearer <METRICS_TOKEN>`` (its
``authorization`` scrape option); a staff member looks in a logged-in browser.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest

BEARER = "bearer"


def metrics_refusal(request: HttpRequest) -> int | None:
    """Return the status that refuses ``request`` (401, 403), or None to allow it."""
    if settings.METRICS_PUBLIC:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == BEARER:
        expected = settings.METRICS_TOKEN
        # An unset token matches nothing; compare_digest does not leak, through
        # its timing, how much of a guessed token was right.
        if expected and hmac.compare_digest(token.strip().encode(), expected.encode()):
            return None
        return 401
    user = request.user
    if user.is_authenticated:
        return None if user.is_active and user.is_staff else 403
    return 401
