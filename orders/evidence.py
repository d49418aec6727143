"""Gather the facts the order guards need from the other services."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from orders.money import to_minor

if TYPE_CHECKING:
    from orders.models import Order


class ServiceEvidence:
    """What payments, warehouse and shipping know about one order, asked lazily.

    It has the attributes of ``orders.guards.OrderEvidence``, but each fact is
    queried only when a guard reads it: ``pay`` asks the ledger, ``ship`` asks
    shipping, and nobody pays for the questions another event would need. The
    services share only the operation id and SKU strings with orders, never
    foreign keys, so every question is asked by ``order.operation_id``.
    """

    def __init__(self, order: Order) -> None:
        self.order = order
        self.operation_id = order.operation_id

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
        return self._payment_totals.captured_minor

    @property
    def refunded_minor(self) -> int:
        return self._payment_totals.refunded_minor

    @property
    def net_captured_minor(self) -> int:
        return self.captured_minor - self.refunded_minor

    @cached_property
    def reservations_confirmed(self) -> bool:
        from warehouse.selectors import reservations_confirmed

        skus = list(self.order.lines.values_list("sku", flat=True))
        return reservations_confirmed(operation_id=self.operation_id, skus=skus)

    @cached_property
    def stock_returned(self) -> bool:
        from warehouse.selectors import stock_returned

        return stock_returned(operation_id=self.operation_id)

    @cached_property
    def shipment_active(self) -> bool:
        from shipping.selectors import shipment_active

        return shipment_active(operation_id=self.operation_id)


def order_evidence(*, order: Order) -> ServiceEvidence:
    """Return the evidence about ``order`` that its guards will ask the services."""
    return ServiceEvidence(order)
