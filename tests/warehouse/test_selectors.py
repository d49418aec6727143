"""Warehouse selectors: stock lists, the saga's guards and the audit rows."""

from __future__ import annotations

import pytest

from warehouse.models import StockItem
from warehouse.selectors import (
    reservations_confirmed,
    reservations_for,
    stock_item_audit,
    stock_list,
    stock_returned,
)
from warehouse.services import stock_confirm, stock_hold, stock_release, stock_ship

pytestmark = pytest.mark.django_db


def test_stock_list_shows_available_and_pending_units(stock):
    stock(A=10, B=4)
    stock_hold(operation_id="p", lines=[("A", 2)])
    stock_hold(operation_id="c", lines=[("A", 3)])
    stock_confirm(operation_id="c")
    rows = {
        i.sku: (i.on_hand, i.reserved, i.available, i.pending) for i in stock_list()
    }
    assert rows == {"A": (10, 5, 5, 2), "B": (4, 0, 4, 0)}


def test_stock_list_can_be_limited_to_some_skus(stock):
    stock(A=1, B=1)
    assert [i.sku for i in stock_list(skus=["B"])] == ["B"]


def test_reservations_for_lists_the_operation_holds_in_sku_order(stock):
    stock(A=2, B=1)
    stock_hold(operation_id="op", lines=[("B", 1), ("A", 1)])
    stock_hold(operation_id="other", lines=[("A", 1)])
    assert [r.sku for r in reservations_for(operation_id="op")] == ["A", "B"]


def test_reservations_confirmed_needs_every_sku_confirmed(stock):
    stock(A=5, B=5)
    stock_hold(operation_id="op", lines=[("A", 1), ("B", 1)])
    assert not reservations_confirmed(operation_id="op", skus=["A", "B"])
    stock_confirm(operation_id="op")
    assert reservations_confirmed(operation_id="op", skus=["A", "B"])
    assert not reservations_confirmed(operation_id="op", skus=["A", "B", "C"])
    assert not reservations_confirmed(operation_id="op", skus=[])


def test_reservations_confirmed_stays_true_once_shipped(stock):
    stock(A=5)
    stock_hold(operation_id="op", lines=[("A", 1)])
    stock_confirm(operation_id="op")
    stock_ship(operation_id="op")
    assert reservations_confirmed(operation_id="op", skus=["A"])


def test_stock_returned_once_nothing_is_pending_or_confirmed(stock):
    stock(A=5)
    assert stock_returned(operation_id="op")
    stock_hold(operation_id="op", lines=[("A", 1)])
    assert not stock_returned(operation_id="op")
    stock_confirm(operation_id="op")
    assert not stock_returned(operation_id="op")
    stock_release(operation_id="op")
    assert stock_returned(operation_id="op")


def test_stock_item_audit_agrees_after_a_full_lifecycle(stock):
    stock(A=10, B=3)
    for operation_id, sku in [("s", "A"), ("c", "A"), ("p", "B"), ("r", "B")]:
        stock_hold(operation_id=operation_id, lines=[(sku, 1)])
    for operation_id in ("s", "c"):
        stock_confirm(operation_id=operation_id)
    stock_ship(operation_id="s")
    stock_release(operation_id="r")
    rows = {row.sku: row for row in stock_item_audit()}
    assert (rows["A"].on_hand, rows["A"].reserved, rows["A"].held) == (9, 1, 1)
    assert rows["A"].movements == 9
    assert [row.problems for row in rows.values()] == [[], []]


def test_stock_item_audit_reports_stock_that_disagrees(stock):
    stock(A=10)
    stock_hold(operation_id="op", lines=[("A", 2)])
    StockItem.objects.filter(sku="A").update(on_hand=8, reserved=1)
    (row,) = stock_item_audit()
    assert row.problems == [
        "reserved 1 != pending+confirmed holds 2",
        "on_hand 8 != movements 10",
    ]
