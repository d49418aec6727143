"""Book and cancel shipments with the carrier, and record them on our side."""

from __future__ import annotations

from django.utils import timezone

from claims.rows import row_claim
from shipping.carrier import CarrierAnswer, shipping_carrier
from shipping.exceptions import InvalidAddress
from shipping.models import Shipment


def shipment_create(
    *, operation_id: str, address: dict, idempotency_key: str
) -> Shipment:
    """Book the shipment of ``operation_id`` with the carrier and record it.

    ``shipment_book`` then ``shipment_record``; a saga step calls the two apart,
    so that our record commits with the step's own record.
    """
    answer = shipment_book(
        operation_id=operation_id, address=address, idempotency_key=idempotency_key
    )
    return _shipment_record(operation_id, address, answer)


def shipment_book(
    *, operation_id: str, address: dict, idempotency_key: str
) -> CarrierAnswer:
    """Ask the carrier to book the shipment of ``operation_id``; return its answer.

    Nothing of ours is written. A repeat asks the carrier again with the same
    key, which answers with the booking it already made.
    """
    if not isinstance(address, dict) or not address:
        raise InvalidAddress()
    return shipping_carrier().create(
        address=address, idempotency_key=idempotency_key, reference=operation_id
    )


def shipment_record(
    *, operation_id: str, address: dict, external_id: str, tracking_number: str
) -> Shipment:
    """Record the carrier's booking for ``operation_id`` (at most one per operation)."""
    answer = CarrierAnswer(
        id=external_id,
        tracking_number=tracking_number,
        cancelled=False,
        reference=operation_id,
    )
    return _shipment_record(operation_id, address, answer)


def shipment_lookup(*, idempotency_key: str) -> CarrierAnswer | None:
    """Ask the carrier whether the booking keyed ``idempotency_key`` happened."""
    return shipping_carrier().lookup(idempotency_key=idempotency_key)


def shipment_cancel(*, operation_id: str, idempotency_key: str) -> Shipment | None:
    """Cancel the shipment of ``operation_id``; do nothing if there is none."""
    shipment = Shipment.objects.filter(operation_id=operation_id).first()
    if shipment is None or shipment.status == Shipment.Status.CANCELLED:
        return shipment
    shipping_carrier().cancel(
        shipment_id=shipment.external_id,
        idempotency_key=idempotency_key,
        reference=operation_id,
    )
    Shipment.objects.filter(pk=shipment.pk).update(
        status=Shipment.Status.CANCELLED, updated_at=timezone.now()
    )
    shipment.refresh_from_db()
    return shipment


def shipment_reconcile(
    *, operation_id: str, idempotency_key: str, address: dict
) -> Shipment | None:
    """Ask the carrier whether the booking keyed ``idempotency_key`` happened.

    Record it if it did and we missed it (timeout, crash) and return it; return
    None if the carrier never created it.
    """
    shipment = Shipment.objects.filter(operation_id=operation_id).first()
    if shipment is not None:
        return shipment
    answer = shipping_carrier().lookup(idempotency_key=idempotency_key)
    if answer is None:
        return None
    return _shipment_record(operation_id, address, answer)


def _shipment_record(
    operation_id: str, address: dict, answer: CarrierAnswer
) -> Shipment:
    # A twin call for the same operation may have recorded it first.
    status = Shipment.Status.CANCELLED if answer.cancelled else Shipment.Status.ACTIVE
    shipment, _ = row_claim(
        Shipment,
        lookup={"operation_id": operation_id},
        values={
            "external_id": answer.id,
            "tracking_number": answer.tracking_number,
            "address": address,
            "status": status,
        },
    )
    return shipment
