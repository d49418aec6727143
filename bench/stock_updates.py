"""Per-SKU stock UPDATEs: one execute per SKU vs one executemany of them all.

The statement is the hold's (``warehouse.services._stock_add``): add one unit to
``reserved`` if it is available. Each round runs it for every SKU of an order in
a transaction, as a hold does; the two variants are interleaved slice by slice
so that both see the same machine. With psycopg 3, ``executemany`` sends its
statements in one round trip (pipeline mode); on SQLite there is no network, and
what it saves is the per-call work of the driver and of Django's cursor.
"""

from __future__ import annotations

from harness import compare, test_database

ROUNDS = 2000
SKU_COUNTS = (2, 5)
WARM_UP = 100


def main() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from warehouse.models import StockItem

    quote = connection.ops.quote_name
    column = {f.name: quote(f.column) for f in StockItem._meta.concrete_fields}
    sql = (
        f"UPDATE {quote(StockItem._meta.db_table)}"
        f" SET {column['reserved']} = {column['reserved']} + %s,"
        f" {column['updated_at']} = %s WHERE {column['sku']} = %s"
        f" AND {column['on_hand']} - {column['reserved']} >= %s"
    )
    skus = [f"BENCH-{n}" for n in range(max(SKU_COUNTS))]
    StockItem.objects.bulk_create(StockItem(sku=sku, on_hand=10**9) for sku in skus)

    def rows(count: int) -> list[tuple]:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        return [(1, now, sku, 1) for sku in skus[:count]]

    def one_execute_each(count: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for row in rows(count):
                cursor.execute(sql, row)

    def one_executemany(count: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows(count))

    variants = {
        "one execute per SKU": one_execute_each,
        "one executemany": one_executemany,
    }
    for variant in variants.values():
        for _ in range(WARM_UP):  # First-use caches, so the first count is not slower.
            variant(max(SKU_COUNTS))
    for count in SKU_COUNTS:
        compare(
            f"Holding {count} SKUs, {ROUNDS} times, one transaction each",
            {
                label: lambda n, variant=variant, count=count: variant(count)
                for label, variant in variants.items()
            },
            rounds=ROUNDS,
        )


if __name__ == "__main__":
    with test_database():
        main()
