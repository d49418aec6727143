"""The hottest row of a flash sale: how many holds per second one SKU's row takes.

Every hold of a SKU updates that SKU's stock row (``UPDATE ... WHERE on_hand -
reserved >= q``) and keeps the row locked until its transaction commits, so
the holds of one SKU queue on one lock, however many processes make them.
``PROCESSES`` processes each hold one unit at a time with ``stock_hold`` (its
own transaction: the stock UPDATE, the reservation INSERT, the COMMIT) for
``SECONDS``: first all on one SKU, then each on a SKU of its own (what
splitting one SKU's stock into buckets would give), alternating, on
PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/hot_row.py
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid

from harness import test_database

PROCESSES, SECONDS, ROUNDS = 8, 4.0, 2


def holder(sku: str, start_at: float, results) -> None:
    """Hold one unit of ``sku`` again and again until the time is up."""
    from django.db import connection

    from warehouse.services import stock_hold

    connection.close()  # never share the parent's connection
    while time.time() < start_at:
        time.sleep(0.001)
    held, until = 0, start_at + SECONDS
    while time.time() < until:
        stock_hold(
            operation_id=f"hot-{uuid.uuid4().hex}", lines=[{"sku": sku, "quantity": 1}]
        )
        held += 1
    connection.close()
    results.put(held)


def holds_per_second(skus: list[str]) -> float:
    """Run one holder process per entry of ``skus``; return their holds/s."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 1.0
    processes = [
        context.Process(target=holder, args=(sku, start_at, results)) for sku in skus
    ]
    for process in processes:
        process.start()
    total = sum(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=30)
    return total / SECONDS


def main() -> None:
    from django.db import connection

    from warehouse.services import stock_set

    if connection.vendor != "postgresql":
        raise SystemExit("hot_row.py measures PostgreSQL's row locks: set DATABASE_URL")
    one = ["HOT-1"] * PROCESSES
    spread = [f"HOT-{n + 1}" for n in range(PROCESSES)]
    for sku in set(spread):
        stock_set(sku=sku, on_hand=10_000_000)
    figures: dict[str, list[float]] = {"one": [], "spread": []}
    for _ in range(ROUNDS):
        figures["one"].append(holds_per_second(one))
        figures["spread"].append(holds_per_second(spread))
    best = {name: max(values) for name, values in figures.items()}
    print(
        f"Holds per second, {PROCESSES} processes holding one unit at a time"
        f" for {SECONDS:g} s (PostgreSQL, best of {ROUNDS})"
    )
    print(f"  all on one SKU's row      {best['one']:7.0f} holds/s")
    print(f"  each on a row of its own  {best['spread']:7.0f} holds/s")
    print(f"  one row / spread: x{best['one'] / best['spread']:.2f}")


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    with test_database():
        main()
