"""Claim a unique row: get_or_create (read, then insert in a transaction) vs one INSERT.

Both variants claim rows that do not exist yet, which is the usual path of a
checkout (a new charge, a new shipment), interleaved round by round so that both
see the same machine. The rows are ledger charges, unique by idempotency key.
"""

from __future__ import annotations

from harness import compare, test_database

ROUNDS = 2000


def main() -> None:
    from claims.rows import row_claim
    from payments.models import Charge

    values = {"operation_id": "op", "external_id": "ch", "amount_minor": 1}

    def with_get_or_create(i: int) -> None:
        Charge.objects.get_or_create(
            idempotency_key=f"goc-{i}", defaults={**values, "currency": "EUR"}
        )

    def with_row_claim(i: int) -> None:
        row_claim(
            Charge,
            lookup={"idempotency_key": f"claim-{i}"},
            values={**values, "currency": "EUR"},
        )

    compare(
        f"Claiming {ROUNDS} new unique rows",
        {
            "get_or_create": with_get_or_create,
            "row_claim (INSERT first)": with_row_claim,
        },
        rounds=ROUNDS,
    )


if __name__ == "__main__":
    with test_database():
        main()
