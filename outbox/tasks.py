"""django-q2 tasks of the outbox."""

from __future__ import annotations

from outbox.conf import outbox_setting
from outbox.relay import outbox_relay


def relay_outbox() -> int:
    """Relay due outbox messages; queued after commits and run every minute."""
    return outbox_relay(
        time_budget=float(outbox_setting("OUTBOX_RELAY_TIME_BUDGET_SECONDS"))
    )
