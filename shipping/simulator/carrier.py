"""The carrier's behaviour: create, cancel and look up shipments."""

from __future__ import annotations

import secrets
import uuid

from django.utils import timezone

from claims.rows import row_claim
from shipping.exceptions import CarrierShipmentNotFound
from shipping.simulator.models import CarrierShipment


def carrier_shipment_create(
    *, address: dict, idempotency_key: str, reference: str
) -> CarrierShipment:
    """Create a shipment; a repeated key returns the shipment it created."""
    # A key already used (a retry, or a twin arriving at once) finds its shipment.
    shipment, _ = row_claim(
        CarrierShipment,
        lookup={"idempotency_key": idempotency_key},
        values={
            "shipment_id": f"shp_{uuid.uuid4().hex[:24]}",
            "tracking_number": f"1Z{secrets.token_hex(8).upper()}",
            "reference": reference,
            "address": address,
        },
    )
    return shipment


def carrier_shipment_cancel(*, shipment_id: str) -> CarrierShipment:
    """Cancel a shipment; cancelling a cancelled shipment changes nothing."""
    CarrierShipment.objects.filter(
        shipment_id=shipment_id, status=CarrierShipment.Status.CREATED
    ).update(status=CarrierShipment.Status.CANCELLED, cancelled_at=timezone.now())
    shipment = CarrierShipment.objects.filter(shipment_id=shipment_id).first()
    if shipment is None:
        raise CarrierShipmentNotFound(f"The carrier knows no shipment {shipment_id}.")
    return shipment


def carrier_shipment_lookup(*, idempotency_key: str) -> CarrierShipment | None:
    """Return the shipment created with ``idempotency_key``, if any."""
    return CarrierShipment.objects.filter(idempotency_key=idempotency_key).first()
