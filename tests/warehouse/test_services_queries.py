"""Round trips of the stock services: as many for one SKU as for five.

Counted on transactional tests, as the services run in production: each atomic
block is a real transaction, whose BEGIN and COMMIT Django captures as queries
on SQLite and PostgreSQL alike. An ``executemany`` counts as one query: with
psycopg 3 it is one round trip.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from warehouse.services import stock_confirm, stock_hold, stock_release, stock_ship

pytestmark = pytest.mark.django_db(transaction=True)

OP = "op-queries"
SKUS = ["A", "B", "C", "D", "E"]

# Measured: BEGIN, INSERT reservations where the units are, the stock UPDATEs,
# COMMIT.
HOLD_QUERIES = 4
# BEGIN, the reservations marked shipped (returning their units), the stock
# UPDATEs, INSERT movements, COMMIT.
SHIP_QUERIES = 5
# BEGIN, lock reservations, the stock UPDATEs, UPDATE reservations, COMMIT, read
# the reservations back.
RELEASE_QUERIES = 6


@pytest.fixture
def held(stock) -> Callable[[int], None]:
    """Return a function that holds ``n`` SKUs (one unit each) for the operation."""
    stock(**dict.fromkeys(SKUS, 5))
    return lambda n: stock_hold(operation_id=OP, lines=[(sku, 1) for sku in SKUS[:n]])


def queries(call: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [query["sql"] for query in ctx.captured_queries]


@pytest.mark.parametrize("skus", [1, 5])
def test_stock_hold_takes_the_same_queries_for_one_sku_or_five(stock, skus):
    stock(**dict.fromkeys(SKUS, 5))
    lines = [(sku, 1) for sku in SKUS[:skus]]

    sql = queries(lambda: stock_hold(operation_id=OP, lines=lines))

    assert len(sql) == HOLD_QUERIES, sql


@pytest.mark.parametrize("skus", [1, 5])
def test_stock_ship_takes_the_same_queries_for_one_sku_or_five(held, skus):
    held(skus)
    stock_confirm(operation_id=OP)

    sql = queries(lambda: stock_ship(operation_id=OP))

    assert len(sql) == SHIP_QUERIES, sql


@pytest.mark.parametrize("skus", [1, 5])
def test_stock_release_takes_the_same_queries_for_one_sku_or_five(held, skus):
    held(skus)

    sql = queries(lambda: stock_release(operation_id=OP))

    assert len(sql) == RELEASE_QUERIES, sql
