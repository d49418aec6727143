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
from shipping.simulator.models import CarrierReturn, CarrierShipment
from shipping.simulator.returns import (
    carrier_return_book,
    carrier_return_cancel,
    carrier_return_lookup,
    carrier_return_status,
)

PEER = "carrier"


@dataclass(frozen=True)
class CarrierAnswer:
    """The carrier's answer about a shipment."""

    id: str
    tracking_number: str
    cancelled: bool
    reference: str


@dataclass(frozen=True)
class ReturnAnswer:
    """The carrier's answer about a return parcel: ``booked``, ``received``..."""

    id: str
    tracking_number: str
    status: str
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

    def return_book(
        self, *, shipment_id: str, idempotency_key: str, reference: str
    ) -> ReturnAnswer: ...

    def return_status(self, *, return_id: str, reference: str) -> ReturnAnswer: ...

    def return_cancel(self, *, return_id: str, reference: str) -> ReturnAnswer: ...

    def return_lookup(self, *, idempotency_key: str) -> ReturnAnswer | None: ...


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

    def return_book(
        self, *, shipment_id: str, idempotency_key: str, reference: str
    ) -> ReturnAnswer:
        """Book a return parcel for the shipment ``shipment_id``."""
        with client_span(
            "shipping.return_book", peer=PEER, idempotency_key=idempotency_key
        ):
            fault_before("shipping.return_book", reference)
            parcel = carrier_return_book(
                shipment_id=shipment_id,
                idempotency_key=idempotency_key,
                reference=reference,
            )
            fault_after("shipping.return_book", reference)
        return _return_answer(parcel)

    def return_status(self, *, return_id: str, reference: str) -> ReturnAnswer:
        """Ask whether the parcel ``return_id`` reached the warehouse."""
        with client_span("shipping.return_receive", peer=PEER, idempotency_key=""):
            fault_before("shipping.return_receive", reference)
            parcel = carrier_return_status(return_id=return_id)
            fault_after("shipping.return_receive", reference)
        return _return_answer(parcel)

    def return_cancel(self, *, return_id: str, reference: str) -> ReturnAnswer:
        """Cancel the parcel ``return_id`` (a received parcel stays received)."""
        with client_span("shipping.return_cancel", peer=PEER, idempotency_key=""):
            fault_before("shipping.return_cancel", reference)
            parcel = carrier_return_cancel(return_id=return_id)
            fault_after("shipping.return_cancel", reference)
        return _return_answer(parcel)

    def return_lookup(self, *, idempotency_key: str) -> ReturnAnswer | None:
        """Return the parcel booked with ``idempotency_key``, if any."""
        with client_span("shipping.lookup", peer=PEER, idempotency_key=idempotency_key):
            parcel = carrier_return_lookup(idempotency_key=idempotency_key)
        return _return_answer(parcel) if parcel else None


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


def _return_answer(parcel: CarrierReturn) -> ReturnAnswer:
    return ReturnAnswer(
        id=parcel.return_id,
        tracking_number=parcel.tracking_number,
        status=parcel.status,
        reference=parcel.reference,
    )
