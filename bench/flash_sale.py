"""A flash sale over HTTP: 1,000 requests for 100 units, 32 buyers at once.

gunicorn (4 sync workers) on a throwaway PostgreSQL database, the saga run in
the request. Proves nothing is oversold (the stock and the shipped orders are
counted afterwards), and compares what a refusal costs with what a sale
costs: round trips (counted in this process on every connection) and the
latencies seen by the clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/flash_sale.py
"""

from __future__ import annotations

import os

from harness import test_database
from http_load import ADDRESS, drive, served, shop_seed

UNITS, REQUESTS, BUYERS = 100, 1000, 32
BODY = {
    "lines": [{"sku": "FLASH-1", "quantity": 1}],
    "payment_token": "tok_visa",
    "shipping_address": ADDRESS,
}


def round_trips(tokens: list[str]) -> dict[str, int]:
    """Count a sale, a first refusal and a later one in this process."""
    from django.test import Client

    from observability.roundtrips import count_round_trips
    from warehouse.services import stock_set

    stock_set(sku="FLASH-1", on_hand=2)
    client = Client(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    # A first sale fills the caches and queues the outbox relay (once a second).
    client.post(
        "/api/orders/",
        BODY,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="count-warm",
    )
    figures = {}
    for name, status in (("sale", 201), ("first refusal", 409), ("refusal", 409)):
        with count_round_trips() as trips:
            response = client.post(
                "/api/orders/",
                BODY,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"count-{name.replace(' ', '-')}",
            )
        assert response.status_code == status, response.content
        figures[name] = trips.total
    stock_set(sku="FLASH-1", on_hand=UNITS)
    return figures


def main() -> None:
    from decimal import Decimal

    from orders.models import Order, Product
    from warehouse.models import StockItem

    tokens = shop_seed(units=1_000_000, buyers=BUYERS)
    Product.objects.create(sku="FLASH-1", name="Limited print", price=Decimal("9.00"))
    trips = round_trips(tokens)
    sold_before = Order.objects.filter(state="shipped", lines__sku="FLASH-1").count()
    with served() as base:
        warm = dict(BODY, lines=[{"sku": "BENCH-1", "quantity": 1}])
        drive(base, "/api/orders/", tokens=tokens, clients=8, per_client=3, body=warm)
        sample = drive(
            base,
            "/api/orders/",
            tokens=tokens,
            clients=BUYERS,
            per_client=0,
            body=BODY,
            total=REQUESTS,
        )
    item = StockItem.objects.get(sku="FLASH-1")
    shipped = Order.objects.filter(state="shipped", lines__sku="FLASH-1").count()
    sold = shipped - sold_before
    print(
        f"Flash sale: {REQUESTS} requests for {UNITS} units, {BUYERS} at once, "
        f"gunicorn -w 4 (PostgreSQL)"
    )
    print(
        f"  answers {dict(sample.statuses)} in {sample.seconds:.1f} s"
        f" ({sample.rate:.0f} requests/s)"
    )
    print(
        f"  sold {sold}, oversold {max(0, sold - UNITS)};"
        f" stock left on hand {item.on_hand}, reserved {item.reserved}"
    )
    p50_sale, p50_refused = sample.quantile(0.5, 201), sample.quantile(0.5, 409)
    print(
        f"  p50 sale {p50_sale * 1000:.0f} ms, refusal {p50_refused * 1000:.0f} ms"
        f" (x{p50_sale / p50_refused:.1f});"
        f" p99 all {sample.quantile(0.99) * 1000:.0f} ms"
    )
    print(
        f"  round trips: sale {trips['sale']}, first refusal"
        f" {trips['first refusal']}, refusal {trips['refusal']}"
        f" (x{trips['sale'] / trips['refusal']:.1f})"
    )


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    with test_database():
        main()
