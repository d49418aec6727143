"""A person's stock changes: goods received and counts corrected, each a movement."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from warehouse.exceptions import InvalidStockLevel, InvalidStockOperation, UnknownSku
from warehouse.models import StockMovement
from warehouse.services import stock_adjust, stock_hold, stock_receive

pytestmark = pytest.mark.django_db


def booked(sku: str) -> int:
    """Return the sum of the SKU's movements: what the books say is on hand."""
    return StockMovement.objects.filter(sku=sku).aggregate(n=Sum("delta"))["n"]


def test_receiving_adds_units_and_records_who_and_why(stock, item):
    stock(A=5)
    movement = stock_receive(sku="A", quantity=7, reason="Pallet 12", actor="ann")
    assert item("A").on_hand == booked("A") == 12
    assert (movement.delta, movement.reason, movement.actor, movement.note) == (
        7,
        "receipt",
        "ann",
        "Pallet 12",
    )


def test_a_receipt_repeated_with_its_key_receives_once(stock, item):
    stock(A=5)
    first = stock_receive(
        sku="A", quantity=3, reason="r", actor="ann", operation_id="k"
    )
    again = stock_receive(
        sku="A", quantity=3, reason="r", actor="ann", operation_id="k"
    )
    assert again.pk == first.pk
    assert item("A").on_hand == booked("A") == 8


@pytest.mark.parametrize(("quantity", "reason"), [(0, "r"), (-2, "r"), (3, "  ")])
def test_a_receipt_without_units_or_reason_is_refused(stock, item, quantity, reason):
    stock(A=5)
    with pytest.raises(InvalidStockOperation):
        stock_receive(sku="A", quantity=quantity, reason=reason, actor="ann")
    assert item("A").on_hand == booked("A") == 5


def test_receiving_an_unknown_sku_is_refused_and_records_nothing(db):
    with pytest.raises(UnknownSku):
        stock_receive(sku="NOPE", quantity=3, reason="r", actor="ann", operation_id="k")
    assert not StockMovement.objects.exists()


def test_a_count_sets_on_hand_and_records_the_difference(stock, item):
    stock(A=10)
    movement = stock_adjust(sku="A", counted=7, reason="Broken", actor="ann")
    assert item("A").on_hand == booked("A") == 7
    assert (movement.delta, movement.reason, movement.note) == (-3, "count", "Broken")


def test_a_count_that_matches_the_books_changes_nothing(stock):
    stock(A=10)
    assert stock_adjust(sku="A", counted=10, reason="Checked", actor="ann") is None
    assert StockMovement.objects.filter(reason="count").count() == 0


def test_a_count_below_the_reserved_units_is_refused(stock, item):
    stock(A=10)
    stock_hold(operation_id="op", lines=[("A", 4)])
    with pytest.raises(InvalidStockLevel, match="4 units are reserved"):
        stock_adjust(sku="A", counted=3, reason="Lost", actor="ann")
    assert (item("A").on_hand, item("A").reserved) == (10, 4)
    assert booked("A") == 10


def test_a_count_repeated_with_its_key_corrects_once(stock, item):
    stock(A=10)
    first = stock_adjust(sku="A", counted=8, reason="r", actor="a", operation_id="k")
    again = stock_adjust(sku="A", counted=8, reason="r", actor="a", operation_id="k")
    assert again.pk == first.pk
    assert item("A").on_hand == booked("A") == 8


def test_a_count_of_an_unknown_sku_is_refused(db):
    with pytest.raises(UnknownSku):
        stock_adjust(sku="NOPE", counted=3, reason="r", actor="ann")
