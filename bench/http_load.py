"""Serve the service with gunicorn on a throwaway database, and load it over HTTP.

The benchmarks that speak HTTP start gunicorn here (with the peer checkout of
``bench.peer`` mounted beside the service), seed a shop, and drive a bounded
load from a pool of client threads on the loopback interface.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from harness import group_pids, process_cpu

ROOT = Path(__file__).resolve().parent.parent
# The process group of the gunicorn serving each address, for server_cpu().
_groups: dict[str, int] = {}
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "GB",
}


def database_url() -> str:
    """Return the DATABASE_URL of the benchmark's (test) database, for children."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    user = quote(s.get("USER") or "", safe="")
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{s['NAME']}"


def shop_seed(*, units: int, buyers: int) -> list[str]:
    """Create two products with ``units`` each and ``buyers`` users; return tokens."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from orders.models import Product
    from warehouse.services import stock_set

    for sku, price in (("BENCH-1", "10.00"), ("BENCH-2", "4.50")):
        Product.objects.create(sku=sku, name=sku, price=Decimal(price))
        stock_set(sku=sku, on_hand=units)
    users = get_user_model()
    return [
        Token.objects.create(
            user=users.objects.create_user(f"bench{n}", email=f"b{n}@example.com")
        ).key
        for n in range(buyers)
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(
    *,
    workers: int = 4,
    root: Path = ROOT,
    python: str = sys.executable,
    settings: str = "bench.settings",
    database: str | None = None,
    **env: str,
) -> Iterator[str]:
    """Run gunicorn (``workers`` sync workers) on the benchmark's database.

    ``root`` and ``python`` may name another checkout of the project (an
    earlier version), served on ``database``.
    """
    port = _free_port()
    child_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": database or database_url(),
        "CHECKOUT_EXECUTION": "inline",
        "CHECKOUT_THROTTLE_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "bench-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Several web processes count the throttles in one shared cache.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    # A file, not a pipe: a pipe nobody reads would fill and block the workers.
    with tempfile.TemporaryFile() as log:
        yield from _serve(python, root, child_env, workers=workers, port=port, log=log)


def _serve(
    python: str, root: str, child_env: dict, *, workers: int, port: int, log: Any
) -> Iterator[str]:
    """Start gunicorn, wait for its health check, yield its address, stop it."""
    process = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--no-control-socket",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        cwd=root,
        env=child_env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    _groups[base] = process.pid
    try:
        for _ in range(300):
            try:
                if _request("GET", port, "/healthz", None, {})[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            log.seek(0)
            raise RuntimeError("gunicorn did not start: " + log.read(4000).decode())
        yield base
    finally:
        _groups.pop(base, None)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def server_cpu(base: str) -> float:
    """Return the CPU seconds the gunicorn serving ``base`` has used so far."""
    return process_cpu(group_pids(_groups[base]))


def _request(
    method: str, port: int, path: str, body: Any, headers: dict
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        payload = None if body is None else json.dumps(body)
        connection.request(
            method,
            path,
            body=payload,
            headers={"Content-Type": "application/json", **headers},
        )
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


@dataclass
class Sample:
    """What one load phase got back: statuses, latencies (s) per status, its time."""

    statuses: Counter = field(default_factory=Counter)
    latencies: dict[int, list[float]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def quantile(self, q: float, status: int | None = None) -> float:
        values = sorted(
            self.latencies.get(status, [])
            if status is not None
            else [v for vs in self.latencies.values() for v in vs]
        )
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(q * len(values)))]


def drive(
    base: str,
    path: str,
    *,
    tokens: list[str],
    clients: int,
    per_client: int,
    body: Any,
    keyed: bool = True,
    total: int | None = None,
) -> Sample:
    """POST ``body`` from ``clients`` threads, ``per_client`` times each; return it.

    With ``total``, the threads share that many requests instead.
    """
    port = int(base.rsplit(":", 1)[1])
    sample, lock = Sample(), threading.Lock()
    barrier = threading.Barrier(clients)

    left = [total if total is not None else clients * per_client]

    def take() -> bool:
        with lock:
            if left[0] <= 0:
                return False
            left[0] -= 1
            return True

    def client(number: int) -> None:
        token = tokens[number % len(tokens)]
        barrier.wait(timeout=60)
        while take():
            headers = {"Authorization": f"Token {token}"}
            if keyed:
                headers["Idempotency-Key"] = f"bench-{uuid.uuid4().hex}"
            started = time.perf_counter()
            status, _ = _request("POST", port, path, body, headers)
            took = time.perf_counter() - started
            with lock:
                sample.statuses[status] += 1
                sample.latencies.setdefault(status, []).append(took)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sample.seconds = time.perf_counter() - started
    return sample


def median(values: list[float]) -> float:
    return statistics.median(values)
