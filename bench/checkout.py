"""One checkout end to end: its queries and time, notifications inline vs threaded.

The checkout saga notifies by email, SMS and push in a parallel group. Threads
overlap the three sends but each opens its own database connection; inline runs
them one after the other on the request's connection. Both run here side by side.
Queries are counted on the request's connection only: the threaded variant's
notification queries run on the threads' own connections and are not in its count.
"""

from __future__ import annotations

from harness import compare, test_database

ROUNDS = 40
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "GB",
}


def main() -> None:
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from orders.checkout.services import checkout_start
    from orders.models import Product
    from warehouse.services import stock_set

    Product.objects.create(sku="BENCH-1", name="Bench", price=Decimal("10.00"))
    stock_set(sku="BENCH-1", on_hand=10_000)
    user = get_user_model().objects.create_user("bench")

    def checkout(executor: str):
        def run(n: int) -> None:
            settings.SAGA_PARALLEL_EXECUTOR = executor
            result = checkout_start(
                user=user,
                idempotency_key=f"{executor}-{n}",
                lines=[{"sku": "BENCH-1", "quantity": 1}],
                payment_token="tok_visa",
                shipping_address=ADDRESS,
            )
            assert result.order.state == "shipped", result.order.state

        return run

    compare(
        f"{ROUNDS} checkouts of one line, saga run inline",
        {
            "inline notifications": checkout("inline"),
            "threaded notifications": checkout("threads"),
        },
        rounds=ROUNDS,
        slices=4,
    )


if __name__ == "__main__":
    with test_database():
        main()
