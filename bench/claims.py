"""Claim a unique row: get_or_create (read, then insert in a transaction) vs one INSERT.

Both variants claim rows that do not exist yet, which is the usual path of a
checkout (a new charge, a new shipment, a new notification), interleaved round by
round so that both see the same machine.
"""

from __future__ import annotations

from harness import compare, test_database

ROUNDS = 2000


def main() -> None:
    from config.claims import row_claim
    from notifications.models import Notification

    def with_get_or_create(i: int) -> None:
        Notification.objects.get_or_create(
            operation_id=f"goc-{i}", channel="email", defaults={"body": "x"}
        )

    def with_row_claim(i: int) -> None:
        row_claim(
            Notification,
            lookup={"operation_id": f"claim-{i}", "channel": "email"},
            values={"body": "x"},
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
