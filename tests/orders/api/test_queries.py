"""Query budgets of the API's reads: constant per request, whatever the data.

The checkout's own budgets (round trips on every connection, commits) are in
``test_budgets``.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.orders.api.conftest import ORDERS_URL, checkout_body

DETAIL_QUERIES = 6
LIST_BUDGET = 7
# What a replay must not touch: the order and everything its saga changes.
CHECKOUT_TABLE_PREFIXES = (
    "orders_",
    "sagas_",
    "payments_",
    "warehouse_",
    "shipping_",
)
TABLE = re.compile(r'(?:FROM|INTO|UPDATE|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def tables(queries: list[dict]) -> Counter:
    """Return how many captured queries name each table."""
    return Counter(
        table for query in queries for table in set(TABLE.findall(query["sql"]))
    )


def summary(queries: list[dict]) -> str:
    """Return the count and each statement's main table, for a failure message."""
    main = Counter(
        next(iter(TABLE.findall(q["sql"])), q["sql"].split()[0]) for q in queries
    )
    busiest = ", ".join(f"{table}={n}" for table, n in main.most_common())
    return f"{len(queries)} queries on {connection.vendor}: {busiest}"


@pytest.mark.django_db
def test_order_detail_costs_a_constant_number_of_queries(
    alice_client, post_checkout, django_assert_num_queries
):
    """Token, order, lines, history (its events), saga run, refunds so far: 6."""
    location = post_checkout(alice_client)["Location"]

    with django_assert_num_queries(DETAIL_QUERIES):
        response = alice_client.get(location)

    assert response.status_code == 200


@pytest.mark.django_db
def test_order_list_costs_the_same_for_one_order_or_five(
    alice_client, post_checkout, django_assert_max_num_queries
):
    """Listing five orders takes no more queries than listing one."""
    post_checkout(alice_client)
    with CaptureQueriesContext(connection) as one:
        alice_client.get(ORDERS_URL)
    # Read now: the next request resets the connection's query log.
    for_one = len(one.captured_queries)
    assert for_one <= LIST_BUDGET, summary(one.captured_queries)
    line = [{"sku": "TEE-001", "quantity": 1}]
    for _ in range(4):
        post_checkout(alice_client, checkout_body(lines=line))

    with django_assert_max_num_queries(for_one):
        response = alice_client.get(ORDERS_URL)

    assert response.json()["count"] == 5


@pytest.mark.django_db
def test_product_list_takes_two_queries(catalog, django_assert_num_queries):
    """The catalogue and its stock: two queries, however many products."""
    from rest_framework.test import APIClient

    with django_assert_num_queries(2):
        response = APIClient().get("/api/products/")

    assert len(response.json()) == 2
