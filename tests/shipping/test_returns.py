"""Return parcels at the carrier: booked once per key, received, cancelled."""

from __future__ import annotations

import pytest

from shipping.exceptions import ReturnCancelled, ReturnNotReceived
from shipping.returns import (
    return_parcel_book,
    return_parcel_cancel,
    return_parcel_lookup,
    return_parcel_receive,
)
from shipping.simulator.models import CarrierReturn
from shipping.simulator.returns import carrier_return_arrive
from tests.shipping.conftest import OP

pytestmark = pytest.mark.django_db

RETURN_OP, KEY = "return-op", "return:return-op:book-return"


def book():
    return return_parcel_book(
        operation_id=RETURN_OP, shipment_operation_id=OP, idempotency_key=KEY
    )


def test_a_parcel_is_booked_once_per_key():
    first, again = book(), book()

    assert again == first
    assert CarrierReturn.objects.get().reference == RETURN_OP
    assert return_parcel_lookup(idempotency_key=KEY) == first


def test_the_parcel_names_the_shipment_it_answers(book):
    shipment = book()

    parcel = return_parcel_book(
        operation_id=RETURN_OP, shipment_operation_id=OP, idempotency_key=KEY
    )

    assert CarrierReturn.objects.get(return_id=parcel.id).shipment_id == (
        shipment.external_id
    )


def test_a_parcel_on_its_way_is_not_received_yet(settings):
    settings.SHIPPING_RETURNS_ARRIVE_AT_ONCE = False
    parcel = book()

    with pytest.raises(ReturnNotReceived):
        return_parcel_receive(operation_id=RETURN_OP, return_id=parcel.id)

    carrier_return_arrive(return_id=parcel.id)
    answer = return_parcel_receive(operation_id=RETURN_OP, return_id=parcel.id)
    assert answer.status == CarrierReturn.Status.RECEIVED


def test_the_demo_carrier_receives_at_once(settings):
    settings.SHIPPING_RETURNS_ARRIVE_AT_ONCE = True
    parcel = book()

    answer = return_parcel_receive(operation_id=RETURN_OP, return_id=parcel.id)

    assert answer.status == CarrierReturn.Status.RECEIVED


def test_a_cancelled_parcel_will_never_be_received(settings):
    settings.SHIPPING_RETURNS_ARRIVE_AT_ONCE = False
    parcel = book()
    return_parcel_cancel(operation_id=RETURN_OP, return_id=parcel.id)

    with pytest.raises(ReturnCancelled):
        return_parcel_receive(operation_id=RETURN_OP, return_id=parcel.id)


def test_a_received_parcel_stays_received_when_cancelled():
    """Too late to cancel: the parcel is at the warehouse."""
    parcel = book()
    return_parcel_receive(operation_id=RETURN_OP, return_id=parcel.id)

    answer = return_parcel_cancel(operation_id=RETURN_OP, return_id=parcel.id)

    assert answer.status == CarrierReturn.Status.RECEIVED
