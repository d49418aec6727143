"""Two buyers for the last unit: the pending hold is the lock, nothing is oversold."""

from __future__ import annotations

import threading

from django.db import connections

from scenarios.facts import facts_for, stock_of
from scenarios.stage import Demo
from warehouse.exceptions import OutOfStock

SKU = "BOOK-001"
# The winner's charge is slow, so its hold is seen pending while it pays.
SLOW_CHARGE = {"payments.charge": "latency:1500"}


def last_unit(demo: Demo) -> None:
    """Release two checkouts of the last book at the same instant."""
    demo.shelves(on_hand={SKU: 1})
    buyers = [demo.buyer("alice"), demo.buyer("bob")]
    demo.note(f"{SKU}: 1 on hand; alice and bob each buy it, at the same instant")
    start = threading.Barrier(len(buyers))
    refused = threading.Event()
    results: dict[str, object] = {}

    def buy(user) -> None:
        try:
            start.wait()
            results[user.get_username()] = result = demo.checkout(
                user,
                key=f"last-unit-{user.get_username()}",
                lines=({"sku": SKU, "quantity": 1},),
                faults=SLOW_CHARGE,
            )
            if isinstance(result, OutOfStock):
                refused.set()
        finally:
            connections.close_all()  # this thread's own connection

    with demo.watching():
        threads = [threading.Thread(target=buy, args=(user,)) for user in buyers]
        for thread in threads:
            thread.start()
        refused.wait(timeout=30)
        during = stock_of(SKU)
        demo.note(
            f"while the winner pays: {SKU} on hand {during[0]}, reserved "
            f"{during[1]} (a pending hold), available {during[0] - during[1]}"
        )
        for thread in threads:
            thread.join()

    winners = {name: r for name, r in results.items() if not isinstance(r, Exception)}
    losers = [name for name, r in results.items() if isinstance(r, OutOfStock)]
    for result in winners.values():
        demo.show_order(result.order)
    on_hand, reserved = stock_of(SKU)
    demo.check("one buyer got the book", len(winners) == 1, ", ".join(winners))
    demo.check("the other was told out of stock", len(losers) == 1, ", ".join(losers))
    demo.check(
        "the winner's pending hold kept the unit while it paid",
        refused.is_set() and during == (1, 1),
        f"on hand {during[0]}, reserved {during[1]}",
    )
    demo.check(
        "nothing oversold",
        (on_hand, reserved) == (0, 0) and on_hand >= 0,
        f"on hand {on_hand}, reserved {reserved}",
    )
    charges = sum(facts_for(demo_op).processor_charges for demo_op in demo.labels)
    demo.check("one charge in all", charges == 1, charges)
    demo.audit()
