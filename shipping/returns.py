"""Return parcels: book one with the carrier, wait for it, cancel it.

Our side keeps no table for them: the return that asked (an ``aftersales``
row) keeps the carrier's id and tracking number, as a saga state keeps a
charge id. The shipment the parcel answers is found by operation id.
"""

from __future__ import annotations

from shipping.carrier import ReturnAnswer, shipping_carrier
from shipping.exceptions import ReturnCancelled, ReturnNotReceived
from shipping.models import Shipment
from shipping.simulator.models import CarrierReturn


def return_parcel_book(
    *, operation_id: str, shipment_operation_id: str, idempotency_key: str
) -> ReturnAnswer:
    """Book a return parcel for the shipment of ``shipment_operation_id``.

    ``operation_id`` is the return's own: the label's reference and the fault
    plan that applies. A repeat with the same key gets the same parcel.
    """
    shipment = Shipment.objects.filter(operation_id=shipment_operation_id).first()
    return shipping_carrier().return_book(
        shipment_id=shipment.external_id if shipment else "",
        idempotency_key=idempotency_key,
        reference=operation_id,
    )


def return_parcel_receive(*, operation_id: str, return_id: str) -> ReturnAnswer:
    """Return the parcel once it reached the warehouse.

    Raise ``ReturnNotReceived`` while it is on its way (ask again later),
    ``ReturnCancelled`` if the carrier cancelled it (it will never come).
    """
    answer = shipping_carrier().return_status(
        return_id=return_id, reference=operation_id
    )
    if answer.status == CarrierReturn.Status.CANCELLED:
        raise ReturnCancelled(f"Return parcel {return_id} was cancelled.")
    if answer.status != CarrierReturn.Status.RECEIVED:
        raise ReturnNotReceived(f"Return parcel {return_id} is on its way.")
    return answer


def return_parcel_cancel(*, operation_id: str, return_id: str) -> ReturnAnswer:
    """Cancel the parcel ``return_id``; cancelling it again changes nothing."""
    return shipping_carrier().return_cancel(return_id=return_id, reference=operation_id)


def return_parcel_lookup(*, idempotency_key: str) -> ReturnAnswer | None:
    """Ask the carrier whether the parcel keyed ``idempotency_key`` was booked."""
    return shipping_carrier().return_lookup(idempotency_key=idempotency_key)
