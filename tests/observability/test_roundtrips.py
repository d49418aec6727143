"""observability.roundtrips: what it counts, on every connection of every thread."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from observability.roundtrips import count_round_trips
from warehouse.models import StockItem

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_transaction_counts_its_begin_statements_and_commit():
    """BEGIN is counted on both databases (psycopg sends it by itself)."""
    with count_round_trips() as trips, transaction.atomic():
        StockItem.objects.create(sku="A", on_hand=1)
        StockItem.objects.filter(sku="A").update(on_hand=2)

    assert trips.statements[0].split()[0] == "BEGIN"
    assert trips.statements[-1] == "COMMIT"
    assert trips.total == 4
    assert trips.commits == 1


def test_each_write_in_autocommit_mode_is_a_commit_of_its_own():
    with count_round_trips() as trips:
        StockItem.objects.create(sku="A", on_hand=1)
        StockItem.objects.create(sku="B", on_hand=1)
        list(StockItem.objects.all())

    assert (trips.total, trips.commits) == (3, 2)


def test_a_transaction_that_writes_nothing_commits_nothing_durable():
    with count_round_trips() as trips, transaction.atomic():
        list(StockItem.objects.all())

    assert trips.commits == 0


def test_an_executemany_is_one_round_trip():
    StockItem.objects.bulk_create([StockItem(sku=s, on_hand=1) for s in "ABC"])
    table = StockItem._meta.db_table
    with (
        count_round_trips() as trips,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.executemany(
            f'UPDATE "{table}" SET on_hand = %s WHERE sku = %s',
            [[5, sku] for sku in "ABC"],
        )

    assert [s.split()[0] for s in trips.statements] == ["BEGIN", "UPDATE", "COMMIT"]


def test_savepoints_are_round_trips_too():
    with count_round_trips() as trips, transaction.atomic(), transaction.atomic():
        StockItem.objects.create(sku="A", on_hand=1)

    kinds = [s.split()[0].upper() for s in trips.statements]
    assert kinds.count("SAVEPOINT") == 1 and kinds.count("RELEASE") == 1


def test_another_threads_connection_is_counted_with_its_statements():
    """Django's query log sees one connection of one thread; this sees them all."""

    def work() -> None:
        try:
            list(StockItem.objects.all())
        finally:
            connection.close()

    with count_round_trips() as trips:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join(timeout=30)

    assert trips.new_connections == 1
    assert len(trips.threads) == 1 and trips.total >= 1
