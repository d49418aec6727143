"""Where the checkout's notification group runs: inline, or on a kept thread pool.

The checkout ends with a parallel group (email, SMS, push).
``SAGA_PARALLEL_EXECUTOR=inline`` runs the three on the caller's thread and
connection; ``pool`` runs them at once on threads kept for the process's life.
Whole checkouts (``POST /api/orders/``, inline) are timed side by side with
each executor, first with instant channels (the locmem backends), then with
channels that take ``LATENCY`` seconds per message, as a provider's HTTP API
does. Each line also says how many database connections the checkouts opened.

    .venv/bin/python bench/parallel.py        # SQLite; or, on PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/parallel.py
"""

from __future__ import annotations

import os
import time

from harness import test_database
from http_load import ADDRESS, shop_seed

ROUNDS, SLICES = 60, 6
BODY = {
    "lines": [{"sku": "BENCH-1", "quantity": 1}, {"sku": "BENCH-2", "quantity": 2}],
    "payment_token": "tok_visa",
    "shipping_address": ADDRESS,
}


INSTANT = {
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "SMS_BACKEND": "notifications.backends.LocmemBackend",
    "PUSH_BACKEND": "notifications.backends.LocmemBackend",
}
SLOW = {
    "EMAIL_BACKEND": "bench.slow_channels.SlowEmailBackend",
    "SMS_BACKEND": "bench.slow_channels.SlowBackend",
    "PUSH_BACKEND": "bench.slow_channels.SlowBackend",
}


def main() -> None:
    from django.core import mail
    from django.test import Client, override_settings

    from bench.slow_channels import LATENCY
    from notifications.backends import outbox
    from observability.roundtrips import count_round_trips

    tokens = shop_seed(units=10_000_000, buyers=1)
    client = Client(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    variants = {
        (channels, executor): {**backends, "SAGA_PARALLEL_EXECUTOR": executor}
        for channels, backends in (("instant", INSTANT), ("slow", SLOW))
        for executor in ("inline", "pool")
    }
    totals = {variant: [0.0, 0, 0] for variant in variants}  # seconds, runs, conns
    serial = 0
    for _ in range(SLICES):
        for variant, values in variants.items():
            with override_settings(**values), count_round_trips() as trips:
                started = time.perf_counter()
                for _ in range(ROUNDS // SLICES):
                    serial += 1
                    response = client.post(
                        "/api/orders/",
                        BODY,
                        content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=f"parallel-{serial}",
                    )
                    assert response.status_code == 201, response.content
                totals[variant][0] += time.perf_counter() - started
            totals[variant][1] += ROUNDS // SLICES
            totals[variant][2] += trips.new_connections
            mail.outbox.clear()
            outbox.clear()
    from django.db import connection

    print(
        f"Checkout notifications: a group of 3 members, inline vs kept pool"
        f" ({connection.vendor}, {ROUNDS} checkouts each, alternating)"
    )
    for channels in ("instant", "slow"):
        base = totals[(channels, "inline")][0] / totals[(channels, "inline")][1]
        label = "instant" if channels == "instant" else f"{LATENCY * 1000:.0f} ms each"
        for executor in ("inline", "pool"):
            seconds, runs, opened = totals[(channels, executor)]
            per = seconds / runs
            print(
                f"  {label:<17} {executor:<7} {per * 1000:7.1f} ms/checkout"
                f"  x{base / per:.2f} of inline  new connections {opened}"
            )


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("CHECKOUT_THROTTLE_RATE", "1000000/min")
    with test_database():
        main()
