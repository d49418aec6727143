"""The order state machine as data: states, events and the guard each event needs.

Everything else (the ``transitions`` machine, the allowed events, the idempotent
repeat rule, the Mermaid diagram, the history audit) is derived from this table,
so there is one place to read and change the life of an order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class State(models.TextChoices):
    """Where an order is in its life."""

    CREATED = "created", "Created"
    PAID = "paid", "Paid"
    RESERVED = "reserved", "Reserved"
    SHIPPED = "shipped", "Shipped"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


@dataclass(frozen=True)
class TransitionRule:
    """One row of the table: ``event`` moves an order from ``sources`` to ``dest``.

    ``guard`` names a function in ``orders.guards`` that must hold for the move.
    """

    event: str
    sources: tuple[State, ...]
    dest: State
    guard: str


INITIAL_STATE = State.CREATED

# The event that brings a new row into being; it is in the history, not the table.
CREATE_EVENT = "create"

TRANSITIONS: tuple[TransitionRule, ...] = (
    TransitionRule("pay", (State.CREATED,), State.PAID, "charge_covers_total"),
    TransitionRule("reserve", (State.PAID,), State.RESERVED, "reservations_confirmed"),
    TransitionRule("ship", (State.RESERVED,), State.SHIPPED, "shipment_active"),
    TransitionRule("cancel", (State.CREATED,), State.CANCELLED, "no_charge_remains"),
    # From shipped, after the pivot: the returns and refunds of ``aftersales``
    # reach it once they give back everything captured. A partial refund
    # leaves the order shipped, its refunded amount shown beside it.
    TransitionRule(
        "refund",
        (State.PAID, State.RESERVED, State.SHIPPED),
        State.REFUNDED,
        "refunds_cover_charges_and_stock_returned",
    ),
)

TERMINAL_STATES: frozenset[State] = frozenset({State.CANCELLED, State.REFUNDED})

EVENTS: tuple[str, ...] = tuple(transition.event for transition in TRANSITIONS)


def transition_for(event: str) -> TransitionRule | None:
    """Return the table row of ``event``, or None for an unknown event."""
    return next((t for t in TRANSITIONS if t.event == event), None)


def producing_event(state: str) -> str | None:
    """Return the event whose destination is ``state`` (None for ``created``).

    Each state has at most one producing event, which is what makes "repeating the
    event that produced the current state" a well-defined no-op.
    """
    return next((t.event for t in TRANSITIONS if t.dest == state), None)
