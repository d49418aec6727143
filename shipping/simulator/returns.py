"""The carrier's return parcels: book one, cancel it, and see whether it arrived."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.utils import timezone

from claims.rows import row_claim
from shipping.exceptions import CarrierReturnNotFound
from shipping.simulator.models import CarrierReturn


def carrier_return_book(
    *, shipment_id: str, idempotency_key: str, reference: str
) -> CarrierReturn:
    """Book a return parcel; a repeated key returns the parcel it booked."""
    parcel, _ = row_claim(
        CarrierReturn,
        lookup={"idempotency_key": idempotency_key},
        values={
            "return_id": f"ret_{uuid.uuid4().hex[:24]}",
            "tracking_number": f"1R{secrets.token_hex(8).upper()}",
            "reference": reference,
            "shipment_id": shipment_id,
        },
    )
    return parcel


def carrier_return_status(*, return_id: str) -> CarrierReturn:
    """Return the parcel as it stands, received at once when the demo says so."""
    if settings.SHIPPING_RETURNS_ARRIVE_AT_ONCE:
        carrier_return_arrive(return_id=return_id)
    parcel = CarrierReturn.objects.filter(return_id=return_id).first()
    if parcel is None:
        raise CarrierReturnNotFound(f"The carrier knows no return {return_id}.")
    return parcel


def carrier_return_arrive(*, return_id: str) -> None:
    """Mark a booked parcel received at the warehouse (the scan at the dock)."""
    CarrierReturn.objects.filter(
        return_id=return_id, status=CarrierReturn.Status.BOOKED
    ).update(status=CarrierReturn.Status.RECEIVED, received_at=timezone.now())


def carrier_return_cancel(*, return_id: str) -> CarrierReturn:
    """Cancel a booked parcel; a received one stays received (it is here)."""
    CarrierReturn.objects.filter(
        return_id=return_id, status=CarrierReturn.Status.BOOKED
    ).update(status=CarrierReturn.Status.CANCELLED)
    parcel = CarrierReturn.objects.filter(return_id=return_id).first()
    if parcel is None:
        raise CarrierReturnNotFound(f"The carrier knows no return {return_id}.")
    return parcel


def carrier_return_lookup(*, idempotency_key: str) -> CarrierReturn | None:
    """Return the parcel booked with ``idempotency_key``, if any."""
    return CarrierReturn.objects.filter(idempotency_key=idempotency_key).first()
