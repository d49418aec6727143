"""The desk's actions as entries of an order's timeline, merged with its saga's.

The saga engine tells a run's story from the run alone (``sagas.timeline``)
and knows nothing of the desk; the pages that show an order merge the two
stories here, by time. A desk entry answers to the same names as an engine
event (``at``, ``kind``, ``step``, ``text``, ``phase``, ``offset``), so one
template lists both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from desk.models import DeskAction
from orders.money import from_minor

TEXTS = {
    DeskAction.Kind.REFUND: "Customer service {refunded} {amount}: {reason}",
    DeskAction.Kind.EXTERNAL_REFUND: "Customer service recorded a refund made "
    "outside ({reference}), {amount}: {reason}",
    DeskAction.Kind.RESEND: "Customer service sent the {channel} again: {reason}",
}


@dataclass(frozen=True)
class DeskEvent:
    """One desk action on the order's timeline."""

    at: datetime
    kind: str
    text: str
    since_start: timedelta = timedelta()
    step: str = ""
    phase: str = "people"

    @property
    def offset(self) -> str:
        """Return the time since the timeline's first event, as "+1.234 s"."""
        return f"+{self.since_start.total_seconds():.3f} s"


def order_timeline(
    *, run_events: Sequence[Any], actions: Iterable[DeskAction], staff: bool = False
) -> list[Any]:
    """Return the run's events and the desk's actions in one list, oldest first.

    ``staff``: the entries name who acted (for the admin); the customer's page
    says only that customer service did.
    """
    actions = list(actions)
    firsts = [e.at for e in run_events[:1]] + [a.created_at for a in actions[:1]]
    if not firsts:
        return []
    start = min(firsts)
    desk = [
        DeskEvent(
            at=action.created_at,
            kind=f"desk_{action.kind}",
            text=desk_action_text(action) + (f" ({action.actor})" if staff else ""),
            since_start=action.created_at - start,
        )
        for action in actions
    ]
    # Stable: an engine event and a desk action at the same instant keep
    # the engine's first.
    return sorted([*run_events, *desk], key=lambda event: event.at)


def desk_action_text(action: DeskAction) -> str:
    """Return what the action did, in a sentence a customer can read."""
    amount = (
        f"{from_minor(action.amount_minor, action.currency)} {action.currency}"
        if action.amount_minor is not None
        else "what was refundable"
    )
    return TEXTS[action.kind].format(
        amount=amount,
        reason=action.reason,
        reference=action.reference,
        channel=action.detail.get("channel", "message"),
        # As the refund saga answered when the desk asked: done, or under way.
        refunded="refunded"
        if action.detail.get("status", "refunded") == "refunded"
        else "started a refund of",
    )
