"""Gather the facts the order guards need from the other services."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from orders.money import to_minor

if TYPE_CHECKING:
    from orders.models import Order


# The facts a service's answer to a call can settle: yes/no facts, and the
# money of a charge the step has just recorded (nothing of it refunded yet).
ANSWERABLE = frozenset(
    {
        "reservations_confirmed",
        "stock_returned",
        "shipment_active",
        "captured_minor",
        "refunded_minor",
    }
)


class ServiceEvidence:
    """What payments, warehouse and shipping know about one order, asked lazily.

    It has the attributes of ``orders.guards.OrderEvidence``, but each fact is
    queried only when a guard reads it: ``pay`` asks the ledger, ``ship`` asks
    shipping, and nobody pays for the questions another event would need. The
    services share only the operation id and SKU strings with orders, never
    foreign keys, so every question is asked by ``order.operation_id``.
    """

    def __init__(self, order: Order, **answered: bool | int) -> None:
        """``answered``: facts a service just gave in its answer to our call.

        A step that has the service's own record in hand (the shipment it
        booked, the holds it confirmed) passes what that record says; asking
        the service again would read the same rows a moment later.
        """
        self.order = order
        self.operation_id = order.operation_id
        for fact in answered:
            if fact not in ANSWERABLE:
                raise TypeError(f"{fact!r} is not a fact the services answer.")
        self._answered = answered
        for fact, value in answered.items():
            if fact not in ("captured_minor", "refunded_minor"):
                setattr(self, fact, value)  # the cached_property is never asked

    @cached_property
    def total_minor(self) -> int:
        return to_minor(self.order.total, self.order.currency)

    @cached_property
    def _payment_totals(self):
        # Imported here: the services are separate apps that orders only asks.
        from payments.selectors import payment_totals

        return payment_totals(operation_id=self.operation_id)

    @property
    def captured_minor(self) -> int:
        if "captured_minor" in self._answered:
            return int(self._answered["captured_minor"])
        return self._payment_totals.captured_minor

    @property
    def refunded_minor(self) -> int:
        if "refunded_minor" in self._answered:
            return int(self._answered["refunded_minor"])
        return self._payment_totals.refunded_minor

    @property
    def net_captured_minor(self) -> int:
        return self.captured_minor - self.refunded_minor

    @cached_property
    def reservations_confirmed(self) -> bool:
        from warehouse.selectors import reservations_confirmed

        skus = [line.sku for line in self.order.line_rows]
        return reservations_confirmed(operation_id=self.operation_id, skus=skus)

    @cached_property
    def stock_returned(self) -> bool:
        from warehouse.selectors import stock_returned

        return stock_returned(operation_id=self.operation_id)

    @cached_property
    def shipment_active(self) -> bool:
        from shipping.selectors import shipment_active

        return shipment_active(operation_id=self.operation_id)


def order_evidence(*, order: Order, **answered: bool | int) -> ServiceEvidence:
    """Return the evidence about ``order`` that its guards will ask the services.

    ``answered`` facts are taken as given (see ``ServiceEvidence``).
    """
    return ServiceEvidence(order, **answered)
