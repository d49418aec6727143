"""What the checkout saga remembers between steps, saved after every step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class CheckoutState:
    """Everything the steps need, plus the external ids they record.

    The external ids (charge, refund, shipment) are saved with the run after each
    step, so a compensation that runs after a crash still knows what to undo.
    """

    order_id: str
    lines: list[dict[str, Any]]
    amount_minor: int
    currency: str
    payment_token: str
    shipping_address: dict[str, Any]
    email: str = ""
    phone: str = ""
    charge_id: str = ""
    refund_id: str = ""
    shipment_id: str = ""
    tracking_number: str = ""
