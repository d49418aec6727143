"""An order's history is the events it published: one row, not two, per move.

Every move of an order writes one outbox message (``order.<state>``) in the
transaction that moves it; that message is both what the world is told and
the order's own record of the move. Reading the history is reading those
messages back. A history row and an event can never disagree: they are one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_datetime

from outbox.selectors import messages_for

if TYPE_CHECKING:
    from orders.models import Order

AGGREGATE = "order"


@dataclass(frozen=True)
class Transition:
    """One move in an order's history: the event, the states, who, when."""

    order_id: str
    from_state: str
    to_state: str
    event: str
    actor: str
    operation_id: str
    created_at: datetime

    def __str__(self) -> str:
        return f"{self.event}: {self.from_state or '-'} -> {self.to_state}"


def transition_payload(transition: Transition, **extra: Any) -> dict[str, Any]:
    """Return the outbox payload that records ``transition`` (and ``extra``)."""
    return {
        "at": transition.created_at.isoformat(),
        "order_id": transition.order_id,
        "from_state": transition.from_state,
        "to_state": transition.to_state,
        "event": transition.event,
        "actor": transition.actor,
        "operation_id": transition.operation_id,
        **extra,
    }


def order_histories(*, orders: Iterable[Order]) -> dict[str, list[Transition]]:
    """Return each order's history, oldest first, by order id: one query for all."""
    histories: dict[str, list[Transition]] = {str(order.pk): [] for order in orders}
    if not histories:
        return histories
    for message in messages_for(aggregate_type=AGGREGATE, aggregate_ids=histories):
        payload = message.payload
        histories[message.aggregate_id].append(
            Transition(
                order_id=message.aggregate_id,
                from_state=payload.get("from_state", ""),
                to_state=payload.get("to_state", ""),
                event=payload.get("event", ""),
                actor=payload.get("actor", ""),
                operation_id=payload.get("operation_id", ""),
                # When the move happened; the row itself is written a moment later.
                created_at=(
                    parse_datetime(payload["at"])
                    if "at" in payload
                    else message.created_at
                ),
            )
        )
    return histories


def order_history(*, order: Order) -> list[Transition]:
    """Return ``order``'s history, oldest first (one query)."""
    return order_histories(orders=[order])[str(order.pk)]
