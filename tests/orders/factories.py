"""Test data for the orders tests: evidence that passes or fails a guard, paths."""

from __future__ import annotations

from orders.guards import OrderEvidence
from orders.models import Order
from orders.money import to_minor
from orders.states import INITIAL_STATE, TRANSITIONS


def evidence_for(event: str, *, order: Order, passes: bool = True) -> OrderEvidence:
    """Return evidence under which ``event``'s guard holds (or fails) for ``order``."""
    total = to_minor(order.total, order.currency)
    passing = {
        "pay": OrderEvidence(total_minor=total, captured_minor=total),
        "reserve": OrderEvidence(
            total_minor=total, captured_minor=total, reservations_confirmed=True
        ),
        "ship": OrderEvidence(
            total_minor=total,
            captured_minor=total,
            reservations_confirmed=True,
            shipment_active=True,
        ),
        "cancel": OrderEvidence(total_minor=total),
        "refund": OrderEvidence(
            total_minor=total,
            captured_minor=total,
            refunded_minor=total,
            stock_returned=True,
        ),
    }
    failing = {
        "pay": OrderEvidence(total_minor=total, captured_minor=total - 1),
        "reserve": OrderEvidence(total_minor=total, captured_minor=total),
        "ship": OrderEvidence(total_minor=total, captured_minor=total),
        "cancel": OrderEvidence(total_minor=total, captured_minor=total),
        "refund": OrderEvidence(
            total_minor=total, captured_minor=total, refunded_minor=total
        ),
    }
    return (passing if passes else failing)[event]


def path_to(state: str) -> list[str]:
    """Return the events that lead from ``created`` to ``state``, read off the table."""
    paths: dict[str, list[str]] = {INITIAL_STATE: []}
    frontier = [INITIAL_STATE]
    while frontier:
        current = frontier.pop(0)
        for rule in TRANSITIONS:
            if current in rule.sources and rule.dest not in paths:
                paths[rule.dest] = [*paths[current], rule.event]
                frontier.append(rule.dest)
    return paths[state]
