"""The guards: each a pure predicate over the evidence of one order."""

from __future__ import annotations

import pytest

from orders.guards import (
    OrderEvidence,
    charge_covers_total,
    no_charge_remains,
    refunds_cover_charges_and_stock_returned,
    reservations_confirmed,
    shipment_active,
)


@pytest.mark.parametrize(
    ("captured", "refunded", "expected"),
    [(1000, 0, True), (1200, 0, True), (999, 0, False), (1000, 500, False)],
)
def test_charge_covers_total_compares_net_capture_with_total(
    captured, refunded, expected
):
    """pay needs captured minus refunded to reach the order total."""
    evidence = OrderEvidence(
        total_minor=1000, captured_minor=captured, refunded_minor=refunded
    )
    assert charge_covers_total(evidence) is expected


@pytest.mark.parametrize(
    ("captured", "refunded", "expected"),
    [(0, 0, True), (1000, 1000, True), (1000, 0, False), (1000, 999, False)],
)
def test_no_charge_remains_needs_every_capture_refunded(captured, refunded, expected):
    """cancel needs captured minus refunded to be zero."""
    evidence = OrderEvidence(
        total_minor=1000, captured_minor=captured, refunded_minor=refunded
    )
    assert no_charge_remains(evidence) is expected


@pytest.mark.parametrize(
    ("refunded", "stock_returned", "expected"),
    [(1000, True, True), (1000, False, False), (999, True, False)],
)
def test_refund_needs_full_refund_and_returned_stock(
    refunded, stock_returned, expected
):
    """refund needs refunds covering the charges and the stock back on the shelf."""
    evidence = OrderEvidence(
        total_minor=1000,
        captured_minor=1000,
        refunded_minor=refunded,
        stock_returned=stock_returned,
    )
    assert refunds_cover_charges_and_stock_returned(evidence) is expected


@pytest.mark.parametrize("confirmed", [True, False])
def test_reservations_confirmed_reads_the_warehouse_fact(confirmed):
    """reserve holds exactly when every line's reservation is confirmed."""
    evidence = OrderEvidence(total_minor=1, reservations_confirmed=confirmed)
    assert reservations_confirmed(evidence) is confirmed


@pytest.mark.parametrize("active", [True, False])
def test_shipment_active_reads_the_carrier_fact(active):
    """ship holds exactly when an active shipment exists."""
    evidence = OrderEvidence(total_minor=1, shipment_active=active)
    assert shipment_active(evidence) is active
