"""Run a benchmark inside a throwaway test database, and time variants side by side."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def test_database() -> Iterator[None]:
    """Set Django up and create (then destroy) a migrated test database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def measure(label: str, run: Callable[[int], None], *, rounds: int) -> dict:
    """Run ``run(i)`` ``rounds`` times; return seconds and queries per round."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # The log keeps 9,000 queries; start each measure empty.
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for i in range(rounds):
            run(i)
        elapsed = time.perf_counter() - started
    return {
        "label": label,
        "ms": 1000 * elapsed / rounds,
        "queries": len(queries.captured_queries) / rounds,
    }


def report(title: str, results: list[dict]) -> None:
    """Print the variants with their ratio to the first one."""
    from django.db import connection

    base = results[0]
    print(f"{title} ({connection.vendor})")
    for result in results:
        ratio = result["ms"] / base["ms"]
        print(
            f"  {result['label']:<34} {result['ms']:8.3f} ms/op"
            f"  {result['queries']:6.1f} queries/op  x{ratio:.2f} of the first"
        )


def compare(
    title: str,
    variants: dict[str, Callable[[int], None]],
    *,
    rounds: int,
    slices: int = 10,
) -> None:
    """Time ``variants`` side by side and report them against the first.

    Each variant runs ``rounds`` times in all, alternating with the others in
    ``slices`` so that none gets a warmer cache or a quieter CPU. ``run(n)``
    gets a round number unique across the slices (for keys that must not repeat).
    """
    per_slice = rounds // slices
    results: dict[str, list[dict]] = {label: [] for label in variants}
    for part in range(slices):
        for label, run in variants.items():
            results[label].append(
                measure(
                    label,
                    lambda i, run=run, offset=part * per_slice: run(offset + i),
                    rounds=per_slice,
                )
            )
    report(
        title,
        [
            {
                "label": label,
                "ms": sum(r["ms"] for r in runs) / len(runs),
                "queries": sum(r["queries"] for r in runs) / len(runs),
            }
            for label, runs in results.items()
        ],
    )


def per_second_in_processes(
    work: Callable[[str], None], arguments: list[str], *, seconds: float
) -> float:
    """Call ``work(argument)`` in a loop in one forked process per argument; rate/s.

    The processes start together and stop after ``seconds``; each opens its own
    database connection (the parent's are closed before the fork).
    """
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 1.0

    def loop(argument: str) -> None:
        connections.close_all()  # never share the parent's connection
        while time.time() < start_at:
            time.sleep(0.001)
        calls, until = 0, start_at + seconds
        while time.time() < until:
            work(argument)
            calls += 1
        connections.close_all()
        results.put(calls)

    processes = [context.Process(target=loop, args=(a,)) for a in arguments]
    for process in processes:
        process.start()
    total = sum(results.get(timeout=120 + seconds) for _ in processes)
    for process in processes:
        process.join(timeout=30)
    return total / seconds


def process_cpu(pids: set[int]) -> float:
    """Return the CPU seconds (user + system) the live ``pids`` have used."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def group_pids(pgid: int) -> set[int]:
    """Return the live processes of process group ``pgid``."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                pids.add(int(entry.name))
    return pids


def backend_pids(database: str | None = None) -> set[int]:
    """Return the PostgreSQL backends on ``database`` (this one by default).

    This process's own backend is left out.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = coalesce(%s, current_database())"
            " AND pid <> pg_backend_pid()",
            [database],
        )
        return {row[0] for row in cursor.fetchall()}
