"""What a return or refund saga remembers between steps, saved after every step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class AftersalesState:
    """The facts the steps need, and the external ids they record.

    ``order_operation_id`` is the order's operation id: the payment ledger
    and the shipment are keyed by it. ``refund_key`` is the idempotency key
    of the refund: its hold (taken first) and the processor call share it.
    """

    return_id: str
    order_id: str
    order_operation_id: str
    refund_minor: int
    refund_key: str
    currency: str
    email: str
    lines: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    actor: str = ""
    parcel_id: str = ""
    tracking_number: str = ""
    refund_id: str = ""
