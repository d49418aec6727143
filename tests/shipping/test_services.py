"""Shipping services: one shipment per operation, mirrored from the carrier."""

from __future__ import annotations

import pytest

from shipping.exceptions import InvalidAddress
from shipping.models import Shipment
from shipping.services import shipment_cancel, shipment_create, shipment_reconcile
from shipping.simulator.carrier import carrier_shipment_create
from shipping.simulator.models import CarrierShipment
from tests.shipping.conftest import ADDRESS, CREATE_KEY, OP

pytestmark = pytest.mark.django_db


def cancel() -> Shipment | None:
    return shipment_cancel(operation_id=OP, idempotency_key=f"checkout:{OP}:cancel")


def reconcile() -> Shipment | None:
    return shipment_reconcile(
        operation_id=OP, idempotency_key=CREATE_KEY, address=ADDRESS
    )


def test_shipment_create_books_with_the_carrier_and_records_it(book):
    shipment = book()
    at_carrier = CarrierShipment.objects.get()
    assert (shipment.external_id, shipment.tracking_number) == (
        at_carrier.shipment_id,
        at_carrier.tracking_number,
    )
    assert (shipment.status, shipment.address) == ("active", ADDRESS)
    assert (at_carrier.reference, at_carrier.idempotency_key) == (OP, CREATE_KEY)


def test_shipment_create_repeated_books_once(book):
    assert book().pk == book().pk
    assert (Shipment.objects.count(), CarrierShipment.objects.count()) == (1, 1)


@pytest.mark.parametrize("address", [{}, None, "10 Downing St"])
def test_shipment_create_refuses_an_invalid_address(address):
    with pytest.raises(InvalidAddress):
        shipment_create(operation_id=OP, address=address, idempotency_key=CREATE_KEY)
    assert not CarrierShipment.objects.exists()


def test_shipment_cancel_cancels_at_the_carrier_and_here(book):
    book()
    assert cancel().status == "cancelled"
    assert CarrierShipment.objects.get().status == "cancelled"


def test_shipment_cancel_repeated_changes_nothing(book):
    book()
    cancel()
    assert cancel().status == "cancelled"
    assert CarrierShipment.objects.get().status == "cancelled"


def test_shipment_cancel_without_a_shipment_does_nothing():
    assert cancel() is None


def test_shipment_reconcile_records_a_booking_we_missed():
    at_carrier = carrier_shipment_create(
        address=ADDRESS, idempotency_key=CREATE_KEY, reference=OP
    )
    shipment = reconcile()
    assert (shipment.external_id, shipment.status) == (at_carrier.shipment_id, "active")
    assert Shipment.objects.count() == 1


def test_shipment_reconcile_returns_none_when_the_carrier_never_booked():
    assert reconcile() is None
    assert not Shipment.objects.exists()


def test_shipment_reconcile_returns_the_recorded_shipment(book):
    shipment = book()
    assert reconcile().pk == shipment.pk
    assert CarrierShipment.objects.count() == 1
