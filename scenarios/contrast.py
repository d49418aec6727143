"""The same order, the same failure, two models: orchestration and choreography.

The warehouse cannot confirm the holds (``warehouse.confirm: error``), after
the card was charged. The checkout saga's journal lists what it did, so it
undoes exactly that, last first. The choreographed chain has no such list:
the failing consumer publishes nothing, its event is dead-lettered, and the
charge and the pending hold stay where they were; only the hold's expiry
ever gives anything back.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from faults.services import fault_plan_set
from orders.checkout.saga import checkout_saga
from orders.services import order_create
from outbox.models import OutboxMessage
from sagas.api import run_for
from scenarios.choreography import PREFIX, chain_relay, choreography_connected
from scenarios.facts import facts_for
from scenarios.stage import ADDRESS, LINES, Demo
from warehouse.services import stock_release_expired

FAULT = {"warehouse.confirm": "error"}


def choreography(demo: Demo) -> None:
    """Run both models on one checkout each, with the same fault, and compare."""
    demo.shelves()
    alice = demo.buyer("alice")
    now = timezone.now()

    def observe(consumer: str, message: OutboxMessage, error) -> None:
        what = f"failed: {error}" if error else "done"
        demo.emit(
            "event",
            f"{consumer} reacts to {message.event_type} "
            f"(attempt {message.attempts}): {what}",
            who=demo.who(message.payload["operation_id"]),
        )

    with choreography_connected(observe):
        demo.section("Choreographed, nothing fails: each service reacts to the last")
        calm = _choreographed_order(demo, alice, label="calm")
        chain_relay(now)
        demo.show_order(calm)

        demo.section("Orchestrated, warehouse.confirm fails: the checkout saga")
        with demo.watching():
            result = demo.checkout(
                alice, key="orchestrated", faults=FAULT, label="orch"
            )
        orchestrated = demo.show_order(result.order)
        run = run_for(saga=checkout_saga.name, operation_id=orchestrated.operation_id)
        journal = ", ".join(f"{r.name} {r.status}" for r in run.step_rows[:4])
        demo.note(f"what the orchestrator knew, from its journal: {journal}")

        demo.section("Choreographed, the same failure")
        chained = _choreographed_order(demo, alice, label="chain", faults=FAULT)
        chain_relay(now)
        chained = demo.show_order(chained)

    dead = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.DEAD, payload__operation_id=chained.operation_id
    )
    held = facts_for(chained.operation_id)
    demo.note(
        "where the chain stopped: "
        + ", ".join(f"{m.event_type} dead after {m.attempts} attempts" for m in dead)
    )
    demo.note(f"what it left: {held.describe()}")
    demo.note(
        "nobody knows what to undo: the warehouse saw order.created, payments saw "
        "stock.held, and the one who failed published nothing"
    )

    demo.section("Later: only the hold's expiry cleans anything up")
    ttl = settings.STOCK_HOLD_TTL_SECONDS
    released = stock_release_expired(now=now + timedelta(seconds=ttl + 60))
    demo.note(f"{ttl} s on, the expiry sweep released {released} pending hold(s)")
    after = facts_for(chained.operation_id)
    demo.note(f"what is left: {after.describe()}")

    orchestrated_facts = facts_for(orchestrated.operation_id)
    demo.check("the calm chain shipped", calm.state == "shipped", calm.state)
    demo.check(
        "the orchestrator undid the charge and the hold",
        orchestrated.state == "refunded"
        and orchestrated_facts.refunded_minor == orchestrated_facts.charged_minor,
        orchestrated.state,
    )
    demo.check(
        "the chain's failed event was dead-lettered",
        dead.filter(event_type="order.paid").exists(),
    )
    demo.check(
        "the chain left a charge nobody refunds",
        chained.state == "paid" and after.charged_minor > 0 == after.refunded_minor,
        f"{chained.state}, charged {after.charged_minor / 100:.2f}",
    )
    demo.check(
        "its hold stayed pending until it expired",
        set(held.holds.values()) == {"pending"}
        and set(after.holds.values()) == {"released"},
    )
    report = demo.audit(expect_ok=False)
    demo.check(
        "and the audit sees nothing wrong: every record agrees, the flow just stopped",
        report.ok,
    )


def _choreographed_order(demo: Demo, user, *, label: str, faults=None):
    operation_id = f"{PREFIX}{uuid.uuid4().hex}"
    demo.labels[operation_id] = label
    if faults:
        fault_plan_set(operation_id=operation_id, plan=faults)
    plan = f" with faults {faults}" if faults else ""
    demo.note(f"order placed{plan}; its order.created event is in the outbox")
    return order_create(
        owner=user,
        lines=[dict(line) for line in LINES],
        payment_token="tok_visa",
        shipping_address=ADDRESS,
        operation_id=operation_id,
    )
