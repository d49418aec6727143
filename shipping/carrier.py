"""The carrier client: the one door to the carrier, where faults are injected.

Each call is traced as a client span of the carrier, with the idempotency key
it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from faults.hooks import fault_after, fault_before
from observability.tracing import client_span
from shipping.simulator.carrier import (
    carrier_shipment_cancel,
    carrier_shipment_create,
    carrier_shipment_lookup,
)
from shipping.simulator.models import CarrierShipment

PEER = "carrier"


@dataclass(frozen=True)
class CarrierAnswer:
    """The carrier's answer about a shipment."""

    id: str
    tracking_number: str
    cancelled: bool
    reference: str


class Carrier(Protocol):
    """What the services need from a carrier."""

    def create(
        self, *, address: dict, idempotency_key: str, reference: str
    ) -> CarrierAnswer: ...

    def cancel(
        self, *, shipment_id: str, idempotency_key: str, reference: str
    ) -> CarrierAnswer: ...

    def lookup(self, *, idempotency_key: str) -> CarrierAnswer | None: ...

    def shipments(self) -> list[CarrierAnswer]: ...


class SimulatedCarrier:
    """A carrier client whose carrier is the in-process simulator.

    ``reference`` is our operation id: the fault plan of that operation applies.
    """

    def create(
        self, *, address: dict, idempotency_key: str, reference: str
    ) -> CarrierAnswer:
        """Book a shipment to ``address``."""
        with client_span("shipping.create", peer=PEER, idempotency_key=idempotency_key):
            fault_before("shipping.create", reference)
            shipment = carrier_shipment_create(
                address=address, idempotency_key=idempotency_key, reference=reference
            )
            fault_after("shipping.create", reference)
        return _answer(shipment)

    def cancel(
        self, *, shipment_id: str, idempotency_key: str, reference: str
    ) -> CarrierAnswer:
        """Cancel the shipment ``shipment_id`` (the simulator needs no key)."""
        with client_span("shipping.cancel", peer=PEER, idempotency_key=idempotency_key):
            fault_before("shipping.cancel", reference)
            shipment = carrier_shipment_cancel(shipment_id=shipment_id)
            fault_after("shipping.cancel", reference)
        return _answer(shipment)

    def lookup(self, *, idempotency_key: str) -> CarrierAnswer | None:
        """Return the shipment created with ``idempotency_key``, if any."""
        with client_span("shipping.lookup", peer=PEER, idempotency_key=idempotency_key):
            shipment = carrier_shipment_lookup(idempotency_key=idempotency_key)
        return _answer(shipment) if shipment else None

    def shipments(self) -> list[CarrierAnswer]:
        """Return every shipment the carrier has, like a carrier's manifest."""
        return [_answer(shipment) for shipment in CarrierShipment.objects.all()]


def shipping_carrier() -> Carrier:
    """Return the carrier the services use."""
    return SimulatedCarrier()


def _answer(shipment: CarrierShipment) -> CarrierAnswer:
    return CarrierAnswer(
        id=shipment.shipment_id,
        tracking_number=shipment.tracking_number,
        cancelled=shipment.status == CarrierShipment.Status.CANCELLED,
        reference=shipment.reference,
    )
