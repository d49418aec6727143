"""The guards of the order state machine: small named predicates over evidence.

A guard never queries anything itself: ``orders.evidence`` gathers the facts from
the other services, so a guard is a pure function that tests can call directly
and the machine can name in its table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderEvidence:
    """What the other services say about one order, money in minor units."""

    total_minor: int
    captured_minor: int = 0
    refunded_minor: int = 0
    reservations_confirmed: bool = False
    stock_returned: bool = False
    shipment_active: bool = False

    @property
    def net_captured_minor(self) -> int:
        """Return the money we still hold: captured minus refunded."""
        return self.captured_minor - self.refunded_minor


def charge_covers_total(evidence: OrderEvidence) -> bool:
    """Return whether a captured charge covers the order total (``pay``)."""
    return evidence.net_captured_minor >= evidence.total_minor


def reservations_confirmed(evidence: OrderEvidence) -> bool:
    """Return whether every line has a confirmed reservation (``reserve``)."""
    return evidence.reservations_confirmed


def shipment_active(evidence: OrderEvidence) -> bool:
    """Return whether an active shipment exists (``ship``)."""
    return evidence.shipment_active


def no_charge_remains(evidence: OrderEvidence) -> bool:
    """Return whether no captured money remains with us (``cancel``)."""
    return evidence.net_captured_minor == 0


def refunds_cover_charges_and_stock_returned(evidence: OrderEvidence) -> bool:
    """Return whether refunds cover the charges and the stock came back (``refund``).

    "Came back" means no unit is still held for the order. Shipped units are
    not held: a shipped order refunded in full by amount (the customer keeps
    a damaged parcel, or it was lost) is refunded without a return, a
    decision the shop makes; a return puts its units back on the shelf as
    stock movements of its own.
    """
    refunded_all = evidence.refunded_minor >= evidence.captured_minor
    return refunded_all and evidence.stock_returned


Guard = Callable[[OrderEvidence], bool]

# The names the transition table (orders/states.py) refers to.
GUARDS: dict[str, Guard] = {
    guard.__name__: guard
    for guard in (
        charge_covers_total,
        reservations_confirmed,
        shipment_active,
        no_charge_remains,
        refunds_cover_charges_and_stock_returned,
    )
}
