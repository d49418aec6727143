"""The first walls of one PostgreSQL primary: its commit rate, and one hot stock row.

Every commit waits for its WAL flush, so one primary takes so many commits a
second, whatever the application does; and every hold of one SKU updates that
SKU's stock row (``UPDATE ... WHERE on_hand - reserved >= q``) and keeps it
locked until its transaction commits, so the holds of one SKU queue on one
lock however many processes make them. ``PROCESSES`` processes run, each for
``SECONDS``, alternating, best of ``ROUNDS``:

- commits: a one-row INSERT in its own transaction, the least a commit costs;
- holds of one SKU: ``stock_hold`` of one unit (the stock UPDATE, the
  reservation INSERT, the COMMIT), all processes on the same SKU;
- holds spread: the same, each process on a SKU of its own (what splitting
  one SKU's stock into buckets would give).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/hot_row.py
"""

from __future__ import annotations

import os
import uuid

from harness import per_second_in_processes, test_database

PROCESSES, SECONDS, ROUNDS = 8, 4.0, 2


def commit(_: str) -> None:
    """Commit one tiny row."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_commit (at) VALUES (now())")


def hold(sku: str) -> None:
    """Hold one unit of ``sku`` in a transaction of its own."""
    from warehouse.services import stock_hold

    stock_hold(
        operation_id=f"hot-{uuid.uuid4().hex}", lines=[{"sku": sku, "quantity": 1}]
    )


def main() -> None:
    from django.db import connection

    from warehouse.services import stock_set

    if connection.vendor != "postgresql":
        raise SystemExit("hot_row.py measures PostgreSQL: set DATABASE_URL")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_commit (id serial PRIMARY KEY, at timestamptz)"
        )
    one = ["HOT-1"] * PROCESSES
    spread = [f"HOT-{n + 1}" for n in range(PROCESSES)]
    for sku in spread:
        stock_set(sku=sku, on_hand=10_000_000)
    variants = {
        "commits (one-row INSERT)": (commit, spread),
        "holds, all on one SKU's row": (hold, one),
        "holds, each on a row of its own": (hold, spread),
    }
    best = dict.fromkeys(variants, 0.0)
    for _ in range(ROUNDS):
        for name, (work, arguments) in variants.items():
            rate = per_second_in_processes(work, arguments, seconds=SECONDS)
            best[name] = max(best[name], rate)
    print(
        f"One PostgreSQL primary, {PROCESSES} processes for {SECONDS:g} s each,"
        f" best of {ROUNDS}"
    )
    for name, rate in best.items():
        print(f"  {name:<34} {rate:7.0f}/s")
    one_row = best["holds, all on one SKU's row"]
    print(
        f"  one row / spread: x{one_row / best['holds, each on a row of its own']:.2f}"
    )


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    with test_database():
        main()
