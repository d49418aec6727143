"""Checkouts over HTTP: this project against a hand-written view, side by side.

gunicorn (4 sync workers) serves both on one throwaway PostgreSQL database:
``POST /api/orders/`` (the saga, inline, with its Idempotency-Key) and
``POST /bench/peer/orders/`` (``bench.peer``: the same services called one
after the other, undone by hand, nothing durable). A bounded load of 8
clients with a fresh key per request drives each in turn, three rounds,
alternating. With ``--before DIR`` (a checkout of an earlier commit, with
its own .venv), that version is served too, on its own database, and loaded
in the same rounds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/http_checkout.py [--before /tmp/before]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path

from harness import backend_pids, process_cpu, test_database
from http_load import ADDRESS, drive, median, served, server_cpu, shop_seed

CLIENTS, PER_CLIENT, ROUNDS = 8, 25, 3
BODY = {
    "lines": [{"sku": "BENCH-1", "quantity": 1}, {"sku": "BENCH-2", "quantity": 2}],
    "payment_token": "tok_visa",
    "shipping_address": ADDRESS,
}
SEED_BEFORE = """
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from orders.models import Product
from warehouse.services import stock_set
for sku, price in (("BENCH-1", "10.00"), ("BENCH-2", "4.50")):
    Product.objects.create(sku=sku, name=sku, price=Decimal(price))
    stock_set(sku=sku, on_hand=10_000_000)
users = get_user_model()
print(json.dumps([Token.objects.create(user=users.objects.create_user(f"bench{n}")).key
                  for n in range(8)]))
"""


def round_trips_per_checkout(tokens: list[str]) -> dict[str, object]:
    """Count one checkout of each variant in this process, on every connection."""
    from django.test import Client

    from observability.roundtrips import count_round_trips

    client = Client(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    figures = {}
    for name, path in (("project", "/api/orders/"), ("peer", "/bench/peer/orders/")):
        for warm in (True, False):
            with count_round_trips() as trips:
                response = client.post(
                    path,
                    BODY,
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=f"count-{name}-{warm}",
                )
            assert response.status_code == 201, response.content
        figures[name] = (trips.total, trips.commits)
    return figures


def before_served(directory: Path):
    """Migrate and seed a database for the version in ``directory``; serve it."""
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/bench_before"
    subprocess.run(
        [
            "psql",
            url.rsplit("/", 1)[0] + "/postgres",
            "-qc",
            "DROP DATABASE IF EXISTS bench_before",
            "-c",
            "CREATE DATABASE bench_before",
        ],
        check=True,
        capture_output=True,
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    python = str(directory / ".venv/bin/python")
    subprocess.run(
        [python, "manage.py", "migrate", "-v0"], cwd=directory, env=env, check=True
    )
    tokens = json.loads(
        subprocess.run(
            [python, "manage.py", "shell", "-c", SEED_BEFORE],
            cwd=directory,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return tokens, served(
        root=directory,
        python=python,
        settings="config.settings",
        database=url,
        SAGA_PARALLEL_EXECUTOR="threads",
    )


def main(before: Path | None) -> None:
    tokens = shop_seed(units=10_000_000, buyers=CLIENTS)
    trips = round_trips_per_checkout(tokens)
    variants = {"project": "/api/orders/", "peer": "/bench/peer/orders/"}
    with served() as base:
        bases = {"project": base, "peer": base}
        before_tokens: list[str] = []
        context = None
        if before is not None:
            before_tokens, context = before_served(before)
            bases["before"] = context.__enter__()
            variants["before"] = "/api/orders/"
        try:
            for name, path in variants.items():  # warm every worker up
                drive(
                    bases[name],
                    path,
                    tokens=before_tokens if name == "before" else tokens,
                    clients=CLIENTS,
                    per_client=3,
                    body=BODY,
                )
            samples: dict[str, list] = {name: [] for name in variants}
            cpu = {name: [0.0, 0.0] for name in variants}  # web, database (s)
            for _ in range(ROUNDS):
                for name, path in variants.items():
                    database = "bench_before" if name == "before" else None
                    web, db = server_cpu(bases[name]), backends_cpu(database)
                    samples[name].append(
                        drive(
                            bases[name],
                            path,
                            tokens=before_tokens if name == "before" else tokens,
                            clients=CLIENTS,
                            per_client=PER_CLIENT,
                            body=BODY,
                        )
                    )
                    cpu[name][0] += server_cpu(bases[name]) - web
                    cpu[name][1] += backends_cpu(database) - db
        finally:
            if context is not None:
                context.__exit__(None, None, None)
    report(samples, trips, cpu)


def backends_cpu(database: str | None) -> float:
    """Return the CPU seconds PostgreSQL's backends on ``database`` have used."""
    return process_cpu(backend_pids(database))


def report(
    samples: dict[str, list], trips: dict[str, object], cpu: dict[str, list[float]]
) -> None:
    from django.db import connection

    print(
        f"Checkouts over HTTP, gunicorn -w 4, {CLIENTS} clients, "
        f"{ROUNDS} rounds of {CLIENTS * PER_CLIENT} ({connection.vendor})"
    )
    rates = {name: median([s.rate for s in runs]) for name, runs in samples.items()}
    for name, runs in samples.items():
        statuses = sum((s.statuses for s in runs), start=type(runs[0].statuses)())
        p50 = median([s.quantile(0.5) for s in runs]) * 1000
        p99 = median([s.quantile(0.99) for s in runs]) * 1000
        print(
            f"  {name:<8} {rates[name]:7.1f} checkouts/s  p50 {p50:6.1f} ms"
            f"  p99 {p99:6.1f} ms  answers {dict(statuses)}"
        )
    print(f"  project / peer: x{rates['project'] / rates['peer']:.2f}")
    if "before" in rates:
        print(f"  project / before: x{rates['project'] / rates['before']:.2f}")
    for name, (total, commits) in trips.items():
        print(f"  one checkout, {name}: {total} round trips, {commits} commits")
    for name, (web, database) in cpu.items():
        checkouts = sum(sum(s.statuses.values()) for s in samples[name])
        print(
            f"  CPU per checkout, {name}: web {1000 * web / checkouts:.1f} ms,"
            f" PostgreSQL {1000 * database / checkouts:.1f} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="a checkout of an earlier commit")
    arguments = parser.parse_args()
    # This process counts one checkout of each kind: it needs the peer's URL.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    with test_database():
        main(arguments.before)
