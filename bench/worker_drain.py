"""Worker drain: how fast qcluster workers empty a backlog of checkout sagas.

A backlog of checkouts is accepted through the API in worker mode (202, the
run queued on the Redis broker); then one ``manage.py qcluster`` (2 workers)
drains it, and the same again with two clusters, alternating, on one
throwaway PostgreSQL database. Prints sagas/s for each, the ratio, and the
CPU each side spent per saga: the cluster processes and the PostgreSQL
backends that served them (read from /proc). Then a cProfile of the same
sagas run in this process says where a worker's CPU goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/worker_drain.py
"""

from __future__ import annotations

import cProfile
import os
import pstats
import signal
import subprocess
import sys
import time
from collections import defaultdict

from harness import ROOT, backend_pids, group_pids, process_cpu, test_database
from http_load import ADDRESS, database_url, shop_seed

BACKLOG, ROUNDS = 300, 2
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
BODY = {
    "lines": [{"sku": "BENCH-1", "quantity": 1}, {"sku": "BENCH-2", "quantity": 2}],
    "payment_token": "tok_visa",
    "shipping_address": ADDRESS,
}


def backlog_accept(tokens: list[str], count: int, tag: str) -> list[int]:
    """Accept ``count`` checkouts (202) through the API; return their run ids."""
    from django.test import Client

    from orders.models import Order
    from sagas.api import SagaRun

    client = Client(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    orders = []
    for n in range(count):
        response = client.post(
            "/api/orders/",
            BODY,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"drain-{tag}-{n}",
        )
        assert response.status_code == 202, response.content
        orders.append(response.json()["id"])
    operations = Order.objects.filter(pk__in=orders).values("operation_id")
    return list(
        SagaRun.objects.filter(operation_id__in=operations).values_list("pk", flat=True)
    )


def runs_ended(run_ids: list[int]) -> int:
    from sagas.api import SagaRun

    return (
        SagaRun.objects.filter(pk__in=run_ids)
        .exclude(status__in=["running", "compensating"])
        .count()
    )


def drain(tokens: list[str], clusters: int, tag: str) -> dict[str, float]:
    """Queue a backlog, drain it with ``clusters`` qclusters; return the figures."""
    from django.db import connection

    runs = backlog_accept(tokens, BACKLOG, tag)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS,
        "CHECKOUT_EXECUTION": "worker",
        "Q_WORKERS": "2",
        "LOG_LEVEL": "WARNING",
        # Tasks are signed with it: the clusters must share the one that queued them.
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    connection.close()  # its backend must not count as a cluster's
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(clusters)
    ]
    try:
        while runs_ended(runs) < len(runs):
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"{runs_ended(runs)} of {len(runs)} ended in 600 s")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        workers = set().union(*(group_pids(p.pid) for p in processes))
        worker_cpu, database_cpu = process_cpu(workers), process_cpu(backend_pids())
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)
    print(f"  drained {len(runs)} with {clusters} cluster(s) in {seconds:.1f} s")
    return {
        "rate": len(runs) / seconds,
        "worker_ms": 1000 * worker_cpu / len(runs),
        "database_ms": 1000 * database_cpu / len(runs),
    }


def profile(tokens: list[str]) -> None:
    """Run 100 queued sagas in this process under cProfile; print where time goes."""
    from orders.tasks import checkout_resume

    runs = backlog_accept(tokens, 100, "profile")
    profiler = cProfile.Profile()
    profiler.enable()
    for run_id in runs:
        checkout_resume(run_id)
    profiler.disable()
    stats = pstats.Stats(profiler)
    own: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        own[_area(filename)] += tottime
    total = sum(own.values())
    print(f"Where a worker's time goes (cProfile, own time, {total * 10:.1f} ms/saga)")
    for area, seconds in sorted(own.items(), key=lambda item: -item[1]):
        if seconds / total >= 0.02:
            print(f"  {area:<44} {100 * seconds / total:5.1f} %")


AREAS = (
    ("psycopg/", "psycopg: sending, waiting for PostgreSQL"),
    ("django/db/", "Django ORM: building SQL, reading rows"),
    ("django_q/", "django-q2"),
    ("/sagas/", "saga engine"),
    ("logging/", "logging"),
    ("json/", "JSON"),
    ("django/", "Django (other)"),
    ("site-packages/", "other libraries"),
    ("/work/", "the service's own code"),
)


def _area(filename: str) -> str:
    for marker, area in AREAS:
        if marker in filename:
            return area
    return "Python runtime"


def main() -> None:
    tokens = shop_seed(units=10_000_000, buyers=1)
    results: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    for round_number in range(ROUNDS):
        for clusters in (1, 2):
            figures = drain(tokens, clusters, f"{round_number}-{clusters}")
            results[clusters].append(figures)
    print(
        f"Worker drain: a backlog of {BACKLOG} checkout sagas, qclusters of"
        f" 2 workers, Redis broker, PostgreSQL, best of {ROUNDS}"
    )
    best = {n: max(rounds, key=lambda r: r["rate"]) for n, rounds in results.items()}
    for clusters, figures in best.items():
        print(
            f"  {clusters} cluster{'s' if clusters > 1 else ' '}: "
            f"{figures['rate']:6.1f} sagas/s; CPU per saga: workers"
            f" {figures['worker_ms']:.1f} ms,"
            f" PostgreSQL {figures['database_ms']:.1f} ms"
        )
    print(f"  two clusters / one: x{best[2]['rate'] / best[1]['rate']:.2f}")
    profile(tokens)


if __name__ == "__main__":
    os.environ.update(
        CHECKOUT_EXECUTION="worker", REDIS_URL=REDIS, SECRET_KEY="bench-not-secret"
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("CHECKOUT_THROTTLE_RATE", "1000000/min")
    import redis

    redis.Redis.from_url(REDIS).flushdb()  # the benchmark's own Redis database
    with test_database():
        main()
