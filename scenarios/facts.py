"""What each service holds for one operation, read for a scenario's checks.

The scenario asks every system the way an auditor would: the processor's and
the carrier's own tables next to ours, the warehouse's holds, the messages
the providers received.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import mail
from django.db.models import Sum

from notifications.models import SentMessage
from payments.models import Charge, Refund
from payments.simulator.models import ProcessorCharge
from shipping.simulator.models import CarrierShipment
from warehouse.models import Reservation, StockItem


@dataclass(frozen=True)
class Facts:
    """One operation's effects, counted in every system that has some."""

    processor_charges: int
    ledger_charges: int
    charged_minor: int
    refunded_minor: int
    carrier_bookings: int
    active_bookings: int
    holds: dict[str, str]  # sku -> reservation status
    messages: int

    def describe(self) -> str:
        """Return the facts as one line."""
        holds = ", ".join(f"{sku} {status}" for sku, status in self.holds.items())
        return (
            f"processor charges {self.processor_charges}, ledger charges "
            f"{self.ledger_charges}, charged {self.charged_minor / 100:.2f}, "
            f"refunded {self.refunded_minor / 100:.2f}, carrier bookings "
            f"{self.carrier_bookings} ({self.active_bookings} active), holds: "
            f"{holds or 'none'}, messages {self.messages}"
        )


def facts_for(operation_id: str) -> Facts:
    """Return what every service holds for ``operation_id``."""
    captured = ProcessorCharge.objects.filter(
        reference=operation_id, status=ProcessorCharge.Status.SUCCEEDED
    )
    bookings = CarrierShipment.objects.filter(reference=operation_id)
    holds = Reservation.objects.filter(operation_id=operation_id).order_by("sku")
    emails = [
        m
        for m in getattr(mail, "outbox", [])
        if m.extra_headers.get("X-Operation-Id") == operation_id
    ]
    return Facts(
        processor_charges=captured.count(),
        ledger_charges=Charge.objects.filter(operation_id=operation_id).count(),
        charged_minor=_sum(Charge.objects.filter(operation_id=operation_id)),
        refunded_minor=_sum(Refund.objects.filter(operation_id=operation_id)),
        carrier_bookings=bookings.count(),
        active_bookings=bookings.filter(status=CarrierShipment.Status.CREATED).count(),
        holds=dict(holds.values_list("sku", "status")),
        messages=SentMessage.objects.filter(reference=operation_id).count()
        + len(emails),
    )


def stock_of(sku: str) -> tuple[int, int]:
    """Return ``(on_hand, reserved)`` of ``sku``."""
    item = StockItem.objects.get(sku=sku)
    return item.on_hand, item.reserved


def _sum(rows) -> int:
    return rows.aggregate(total=Sum("amount_minor"))["total"] or 0
