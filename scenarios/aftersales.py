"""Scenario after the pivot: a shipped order's T-shirt comes back and is refunded."""

from __future__ import annotations

from aftersales.models import Return
from aftersales.runs import operation_id_of
from aftersales.services import return_start
from orders.models import Order
from scenarios.facts import facts_for, stock_of
from scenarios.stage import Demo

RETURN_STEPS = ["hold-refund", "book-return", "receive-parcel", "restock"]


def return_after_shipping(demo: Demo) -> None:
    """A return is a new forward saga: the checkout stays completed, money returns."""
    demo.shelves()
    alice = demo.buyer("alice")
    with demo.watching():
        result = demo.checkout(alice, key="return-demo")
        shipped_stock = stock_of("TEE-001")
        order = Order.objects.get(pk=result.order.pk)
        key = f"{alice.pk}:return-demo"
        demo.labels[operation_id_of("return", order, key)] = "return"
        demo.section("Alice sends one T-shirt back")
        demo.note(
            "the carrier has not scanned the parcel the first two times we ask "
            "(shipping.return_receive: transient:2)"
        )
        returned = return_start(
            order=order,
            user=alice,
            idempotency_key="return-demo",
            lines=[{"sku": "TEE-001", "quantity": 1}],
            reason="Too small",
            faults={"shipping.return_receive": "transient:2"},
        )
    order = demo.show_order(Order.objects.get(pk=result.order.pk))
    facts = facts_for(order.operation_id)
    demo.note(facts.describe())
    ret = Return.objects.get(pk=returned.ret.pk)
    demo.check("the return was refunded", ret.state == Return.State.REFUNDED, ret.state)
    demo.check("the order is still shipped", order.state == "shipped", order.state)
    demo.check(
        "the T-shirt's price came back, once",
        facts.refunded_minor == ret.refund_minor > 0,
        f"{facts.refunded_minor / 100:.2f}",
    )
    demo.check(
        "the T-shirt is back on the shelf",
        stock_of("TEE-001")[0] == shipped_stock[0] + 1,
        stock_of("TEE-001"),
    )
    demo.audit()
