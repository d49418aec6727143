"""Gather the facts the order guards need from the other services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders.guards import OrderEvidence
from orders.money import to_minor

if TYPE_CHECKING:
    from orders.models import Order


def order_evidence(*, order: Order) -> OrderEvidence:
    """Ask payments, warehouse and shipping what they know about ``order``.

    The services share only the operation id and SKU strings with orders, never
    foreign keys, so every question is asked by ``order.operation_id``.
    """
    # Imported here: the services are separate apps and orders must import
    # without them (they answer only when a transition needs evidence).
    from payments.selectors import payment_totals
    from shipping.selectors import shipment_active
    from warehouse.selectors import reservations_confirmed, stock_returned

    operation_id = order.operation_id
    totals = payment_totals(operation_id=operation_id)
    skus = list(order.lines.values_list("sku", flat=True))
    return OrderEvidence(
        total_minor=to_minor(order.total, order.currency),
        captured_minor=totals.captured_minor,
        refunded_minor=totals.refunded_minor,
        reservations_confirmed=reservations_confirmed(
            operation_id=operation_id, skus=skus
        ),
        stock_returned=stock_returned(operation_id=operation_id),
        shipment_active=shipment_active(operation_id=operation_id),
    )
