"""Claim a unique row: get_or_create (read, then insert in a transaction) vs one INSERT.

Both variants claim rows that do not exist yet, which is the usual path of a
checkout (a new charge, a new shipment, a new notification), interleaved round by
round so that both see the same machine.
"""

from __future__ import annotations

from harness import measure, report, test_database

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

    results = {"get_or_create": [], "row_claim (INSERT first)": []}
    # Alternate in slices so neither variant gets a warmer cache or a quieter CPU.
    for part in range(10):
        offset = part * (ROUNDS // 10)
        results["get_or_create"].append(
            measure(
                "",
                lambda i, offset=offset: with_get_or_create(offset + i),
                rounds=ROUNDS // 10,
            )
        )
        results["row_claim (INSERT first)"].append(
            measure(
                "",
                lambda i, offset=offset: with_row_claim(offset + i),
                rounds=ROUNDS // 10,
            )
        )
    report(
        f"Claiming {ROUNDS} new unique rows",
        [
            {
                "label": label,
                "ms": sum(r["ms"] for r in runs) / len(runs),
                "queries": sum(r["queries"] for r in runs) / len(runs),
            }
            for label, runs in results.items()
        ],
    )


if __name__ == "__main__":
    with test_database():
        main()
