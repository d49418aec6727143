"""What tracing costs a checkout over the API: off (the default) vs on.

Both variants POST the same checkout through the whole stack (middleware,
DRF, the saga inline, notifications inline) with Django's test client. "On"
records every span (request, run, steps, attempts, calls out) and hands them
to a batch processor, as production would; its exporter drops them, so that
the figure is the service's own cost, not a collector's network. The query
count must be the same: the trace contexts ride in rows already written.
"""

from __future__ import annotations

from harness import compare, test_database

ROUNDS = 120
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "GB",
}


def main() -> None:
    import logging
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from observability.tracing import tracing_enabled, tracing_start, tracing_stop
    from orders.models import Product
    from warehouse.services import stock_set

    class Dropped(SpanExporter):
        """Count the spans and let them go."""

        spans = 0

        def export(self, spans):
            Dropped.spans += len(spans)
            return SpanExportResult.SUCCESS

    # The log lines are the same in both variants; writing them is noise here.
    logging.disable(logging.INFO)
    settings.SAGA_PARALLEL_EXECUTOR = "inline"
    settings.CHECKOUT_EXECUTION = "inline"
    settings.OUTBOX_RELAY_ON_COMMIT = False
    settings.CHECKOUT_THROTTLE_RATE = "1000000/min"
    Product.objects.create(sku="BENCH-1", name="Bench", price=Decimal("10.00"))
    stock_set(sku="BENCH-1", on_hand=100_000)
    user = get_user_model().objects.create_user("bench", email="bench@example.com")
    token = Token.objects.create(user=user).key
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Dropped()))
    clients: dict[bool, APIClient] = {}

    def checkout(traced: bool):
        def run(n: int) -> None:
            if tracing_enabled() != traced:
                tracing_start(provider=provider) if traced else tracing_stop()
            if traced not in clients:  # its middleware is loaded as tracing is now
                clients[traced] = APIClient()
                clients[traced].credentials(HTTP_AUTHORIZATION=f"Token {token}")
            response = clients[traced].post(
                "/api/orders/",
                {
                    "lines": [{"sku": "BENCH-1", "quantity": 1}],
                    "payment_token": "tok_visa",
                    "shipping_address": ADDRESS,
                },
                format="json",
                headers={"Idempotency-Key": f"{traced}-{n}"},
            )
            assert response.status_code == 201, response.content

        return run

    variants = {"tracing off (default)": checkout(False), "tracing on": checkout(True)}
    for number, run in enumerate(variants.values()):  # first-use caches filled
        run(-1 - number)
    Dropped.spans = 0
    compare(
        f"{ROUNDS} checkouts over the API, saga inline",
        variants,
        rounds=ROUNDS,
        slices=12,
    )
    tracing_stop()
    provider.shutdown()  # exports what is left
    print(
        f"  spans recorded with tracing on: {Dropped.spans / ROUNDS:.0f} per checkout"
    )


if __name__ == "__main__":
    with test_database():
        main()
