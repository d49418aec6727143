"""Query budgets of the API: constant per request, whatever the data.

The checkout budget is counted on a transactional test (as in production,
every atomic block is a real transaction). Django (since 4.2) captures the
BEGIN and COMMIT of each transaction as queries, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.orders.api.conftest import ORDERS_URL, checkout_body

# Measured on both databases: 60, 12 of them BEGIN/COMMIT (the docstring below
# says where each goes). It was 77; the issue asks for at most 60.
CHECKOUT_BUDGET = 60
REPLAY_BUDGET = 5
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


@pytest.mark.django_db(transaction=True)
def test_happy_path_checkout_stays_within_its_budget(
    alice_client, post_checkout, settings
):
    """A checkout whose saga runs inline to shipped takes at most 60 queries.

    Where they go (2 lines; every stock call costs the same for any number):
    - the API, 4: the token; the key claimed; the order read back with its
      history in one query; the key completed with the response;
    - creating, 9: one transaction (BEGIN, COMMIT) holding the catalogue read,
      the order, its lines, its first history row and outbox message, the saga
      run and its steps;
    - the engine, 8: each step completed and the next started in one UPDATE,
      the state saved after the two steps that change it, the notify group
      started and completed as one, the run ended;
    - stock, 11: hold (a transaction: reservations, one executemany), confirm
      (one UPDATE ... RETURNING), ship (a transaction: reservations locked,
      stock, movements, reservations shipped);
    - the charge and the carrier booking, 4: the simulated processor's and
      carrier's rows, and our ledgers';
    - 3 order transitions, 15 (a transaction: the conditional UPDATE, the
      history row, the outbox message), and the pay guard's ledger read, 1:
      the reserve and ship guards take the warehouse's and shipping's answers;
    - 3 notifications, 8: each claimed, then marked sent (at most once), and
      the simulated SMS and push providers' rows.

    Not counted: the outbox relay trigger, one queued task per second per
    process whatever the traffic (with the ORM broker, one INSERT); the warm-up
    takes it, so the measured checkout is the same in every test order.
    """
    settings.OUTBOX_RELAY_TRIGGER_SECONDS = 3600
    post_checkout(alice_client)  # warm up: content types, first-use caches

    with CaptureQueriesContext(connection) as ctx:
        response = post_checkout(alice_client)

    assert response.status_code == 201
    assert len(ctx.captured_queries) <= CHECKOUT_BUDGET, summary(ctx.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_replay_reads_only_the_key_store(alice_client, post_checkout):
    """A replay takes at most 5 queries and touches no order, saga or stock table."""
    post_checkout(alice_client, key="again")

    with CaptureQueriesContext(connection) as ctx:
        response = post_checkout(alice_client, key="again")

    assert response["Idempotent-Replayed"] == "true"
    assert len(ctx.captured_queries) <= REPLAY_BUDGET, summary(ctx.captured_queries)
    touched = [
        table
        for table in tables(ctx.captured_queries)
        if table.startswith(CHECKOUT_TABLE_PREFIXES)
    ]
    assert touched == [], summary(ctx.captured_queries)


@pytest.mark.django_db
def test_order_detail_costs_a_constant_number_of_queries(
    alice_client, post_checkout, django_assert_num_queries
):
    """Token, order, lines, history, saga run, steps: 6 queries."""
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
