"""How long to wait before the next attempt: exponential backoff with jitter."""

from __future__ import annotations

import random
from datetime import timedelta

from outbox.conf import outbox_setting

# Each delay is cut by up to this fraction at random, so that deliveries that
# failed together (an endpoint went down) do not all retry in the same second.
# Under 50 %, so a delay is still always longer than the one before it.
JITTER = 0.2


def retry_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Return the wait after the ``attempts``-th failed attempt (1 for the first).

    The raw delay doubles from ``OUTBOX_BACKOFF_BASE_SECONDS`` up to
    ``OUTBOX_BACKOFF_MAX_SECONDS``; jitter takes up to ``JITTER`` of it away.
    """
    base = float(outbox_setting("OUTBOX_BACKOFF_BASE_SECONDS"))
    cap = float(outbox_setting("OUTBOX_BACKOFF_MAX_SECONDS"))
    raw = min(cap, base * 2 ** max(attempts - 1, 0))
    factor = 1 - JITTER * (rng or random).random()
    return timedelta(seconds=raw * factor)
