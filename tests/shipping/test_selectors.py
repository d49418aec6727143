"""Shipping selectors: the saga's guard and the ours-versus-carrier audit."""

from __future__ import annotations

import pytest

from shipping.selectors import shipment_active, shipment_audit, shipment_for
from shipping.services import shipment_cancel
from shipping.simulator.carrier import carrier_shipment_create
from tests.shipping.conftest import ADDRESS, OP

pytestmark = pytest.mark.django_db


def test_shipment_active_follows_the_shipment_status(book):
    assert not shipment_active(operation_id=OP)
    book()
    assert shipment_active(operation_id=OP)
    shipment_cancel(operation_id=OP, idempotency_key="cancel")
    assert not shipment_active(operation_id=OP)


def test_shipment_for_returns_the_operation_shipment(book):
    assert shipment_for(operation_id=OP) is None
    shipment = book()
    assert shipment_for(operation_id=OP) == shipment


def test_shipment_audit_agrees_when_ours_mirror_the_carrier(book):
    book()
    (row,) = shipment_audit()
    assert (row.operation_id, row.problems) == (OP, [])


def test_shipment_audit_reports_a_carrier_shipment_we_do_not_know():
    carrier_shipment_create(address=ADDRESS, idempotency_key="lost", reference="lost")
    (row,) = shipment_audit()
    assert row.ours is None
    assert len(row.problems) == 1
    assert "active but not ours" in row.problems[0]


def test_shipment_audit_reports_two_active_shipments_for_one_operation(book):
    book()
    carrier_shipment_create(address=ADDRESS, idempotency_key="dup", reference=OP)
    (row,) = shipment_audit()
    assert row.problems[0].startswith("carrier has 2 active shipments")
