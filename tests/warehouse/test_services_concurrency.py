"""Holds racing on real connections: never oversold, never held twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from warehouse.exceptions import OutOfStock
from warehouse.models import Reservation, StockItem
from warehouse.selectors import stock_item_audit
from warehouse.services import stock_adjust, stock_hold, stock_receive, stock_release

pytestmark = pytest.mark.django_db(transaction=True)


def race(attempts: int, workers: int, attempt: Callable[[int], object]) -> Counter:
    """Run ``attempt(n)`` for n < attempts on ``workers`` threads, in waves.

    Each wave of ``workers`` attempts is released together by a barrier, so every
    attempt races against others; each thread uses its own connection. Any
    exception other than ``OutOfStock`` fails the test.
    """
    assert attempts % workers == 0, "the last wave would wait at the barrier"
    barrier = threading.Barrier(workers)

    def run(n: int) -> object:
        try:
            barrier.wait(timeout=60)
            return attempt(n)
        except OutOfStock:
            return "out_of_stock"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return Counter(pool.map(run, range(attempts), timeout=240))


def buy_one(n: int) -> str:
    stock_hold(operation_id=f"buyer-{n}", lines=[("HOT", 1)])
    return "held"


def assert_sold_exactly(units: int) -> None:
    item = StockItem.objects.get(sku="HOT")
    assert (item.on_hand, item.reserved) == (units, units)
    assert Reservation.objects.count() == units
    assert [row.problems for row in stock_item_audit()] == [[]]


@pytest.mark.postgres
def test_flash_sale_of_10_units_to_100_buyers_sells_exactly_10(stock):
    stock(HOT=10)
    outcomes = race(100, 20, buy_one)
    assert outcomes == Counter(held=10, out_of_stock=90)
    assert_sold_exactly(10)


def test_flash_sale_of_5_units_to_30_buyers_sells_exactly_5(stock):
    stock(HOT=5)
    outcomes = race(30, 10, buy_one)
    assert outcomes == Counter(held=5, out_of_stock=25)
    assert_sold_exactly(5)


def test_the_same_hold_sent_many_times_at_once_holds_once(stock, item):
    """Twins are never told "out of stock" by their own operation's hold."""
    stock(A=2)

    def hold_twin(n: int) -> str:
        stock_hold(operation_id="twin", lines=[("A", 2)])
        return "held"

    assert race(8, 8, hold_twin) == Counter(held=8)
    assert Reservation.objects.get().quantity == 2
    assert item("A").reserved == 2


def test_holds_listing_skus_in_any_order_do_not_deadlock(stock, item):
    stock(A=10, B=10)

    def hold_both(n: int) -> str:
        lines = [("A", 1), ("B", 1)] if n % 2 else [("B", 1), ("A", 1)]
        stock_hold(operation_id=f"op-{n}", lines=lines)
        return "held"

    assert race(10, 10, hold_both) == Counter(held=10)
    assert (item("A").reserved, item("B").reserved) == (10, 10)


@pytest.mark.postgres
def test_holds_and_releases_of_the_same_skus_do_not_deadlock(stock, item):
    """Releases change stock rows in SKU order too, as holds do."""
    stock(A=100, B=100, C=100)

    def hold_then_release(n: int) -> str:
        stock_hold(operation_id=f"op-{n}", lines=[("A", 1), ("B", 1), ("C", 1)])
        stock_release(operation_id=f"op-{n}")
        return "released"

    assert race(40, 20, hold_then_release) == Counter(released=40)
    assert [item(sku).reserved for sku in "ABC"] == [0, 0, 0]


@pytest.mark.postgres
def test_receipts_and_holds_racing_all_count_and_the_books_balance(stock):
    """Receipts add to whatever is on hand; none is lost to a racing hold."""
    stock(HOT=10)

    def receive_or_hold(n: int) -> str:
        if n % 2:
            stock_receive(sku="HOT", quantity=2, reason="delivery", actor="t")
            return "received"
        return buy_one(n)

    outcomes = race(20, 10, receive_or_hold)

    assert outcomes == Counter(received=10, held=10)
    item = StockItem.objects.get(sku="HOT")
    assert (item.on_hand, item.reserved) == (30, 10)
    assert [row.problems for row in stock_item_audit()] == [[]]


@pytest.mark.postgres
def test_a_count_racing_holds_never_goes_below_them_and_balances(stock):
    """The compare-and-set count: its movement equals the change, holds stay whole."""
    stock(HOT=10)

    def count_or_hold(n: int) -> str:
        if n == 0:
            stock_adjust(sku="HOT", counted=6, reason="stocktake", actor="t")
            return "counted"
        return buy_one(n)

    outcomes = race(5, 5, count_or_hold)

    assert outcomes["counted"] == 1
    item = StockItem.objects.get(sku="HOT")
    assert item.on_hand == 6 and item.reserved == outcomes["held"] == 4
    assert [row.problems for row in stock_item_audit()] == [[]]
