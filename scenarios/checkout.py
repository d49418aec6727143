"""Scenarios of one checkout: it ships, it is undone, a timeout, a stuck refund."""

from __future__ import annotations

from faults.exceptions import InjectedTimeout
from faults.services import fault_plan_clear, fault_plan_set
from orders.checkout.saga import checkout_saga
from payments.services import payment_charge
from sagas.api import NeedsReview, RunStatus, review_retry_compensations, run_for
from scenarios.facts import facts_for, stock_of
from scenarios.stage import Demo

UNDO_ORDER = ["confirm-reservation", "charge-card", "hold-stock"]


def happy(demo: Demo) -> None:
    """Every step works: the order ships and the customer hears of it three ways."""
    demo.shelves()
    alice = demo.buyer("alice")
    with demo.watching():
        result = demo.checkout(alice, key="happy-1")
    order = demo.show_order(result.order)
    facts = facts_for(order.operation_id)
    demo.note(facts.describe())
    demo.check("the order shipped", order.state == "shipped", order.state)
    demo.check("one charge at the processor", facts.processor_charges == 1)
    demo.check("one booking at the carrier", facts.active_bookings == 1)
    demo.check("email, SMS and push sent once each", facts.messages == 3)
    demo.audit()


def partial_failure(demo: Demo) -> None:
    """The carrier refuses every booking: the saga undoes what it did, last first."""
    demo.shelves()
    before = stock_of("TEE-001")
    alice = demo.buyer("alice")
    demo.note("the carrier will fail every attempt (shipping.create: error)")
    with demo.watching() as watch:
        result = demo.checkout(
            alice, key="partial-1", faults={"shipping.create": "error"}
        )
    order = demo.show_order(result.order)
    facts = facts_for(order.operation_id)
    demo.note(facts.describe())
    undone = watch.seen[order.operation_id].steps_that_became("compensated")
    demo.check("undone in reverse order", undone == UNDO_ORDER, ", then ".join(undone))
    demo.check("the order was refunded", order.state == "refunded", order.state)
    demo.check(
        "refunded what was charged",
        facts.charged_minor == facts.refunded_minor > 0,
        f"{facts.refunded_minor / 100:.2f}",
    )
    demo.check("the stock is back", stock_of("TEE-001") == before, stock_of("TEE-001"))
    demo.check("no booking at the carrier", facts.carrier_bookings == 0)
    demo.audit()


def retry_vs_duplicate(demo: Demo) -> None:
    """A charge whose answer is lost: a blind retry doubles it, reconcile does not."""
    demo.shelves()
    alice = demo.buyer("alice")

    demo.section("A blind retry: a new request for every attempt")
    blind = "blind-retry-1"
    fault_plan_set(operation_id=blind, plan={"payments.charge": "timeout"})
    for attempt in (1, 2):
        key = f"{blind}:attempt-{attempt}"
        try:
            payment_charge(
                operation_id=blind,
                amount_minor=6050,
                currency="EUR",
                token="tok_visa",
                idempotency_key=key,
            )
            demo.emit("step", f"charge with key {key}: captured", who="blind")
        except InjectedTimeout as lost:
            demo.emit("retry", f"charge with key {key}: {lost}", who="blind")
    blind_facts = facts_for(blind)
    demo.note(blind_facts.describe())
    demo.check("the blind retry charged twice", blind_facts.processor_charges == 2)

    demo.section("The saga: the same key on every attempt, and reconcile")
    with demo.watching():
        result = demo.checkout(
            alice, key="timeout-1", faults={"payments.charge": "timeout"}
        )
    order = demo.show_order(result.order)
    facts = facts_for(order.operation_id)
    demo.note(facts.describe())
    demo.check("the order shipped", order.state == "shipped", order.state)
    demo.check("exactly one charge at the processor", facts.processor_charges == 1)
    demo.check("our ledger agrees", facts.ledger_charges == 1)
    report = demo.audit(expect_ok=False)
    found = [str(finding) for finding in report.findings]
    demo.check(
        "the audit finds the blind retry's second charge, and only that",
        len(found) == 1 and blind in found[0],
        "; ".join(found),
    )


def compensation_fails(demo: Demo) -> None:
    """The refund keeps failing: the run waits for a person, who finishes it."""
    demo.shelves()
    alice, reviewer = demo.buyer("alice"), demo.reviewer()
    faults = {"shipping.create": "error", "payments.refund": "error"}
    demo.note("the carrier fails, and so does every refund")
    with demo.watching():
        result = demo.checkout(alice, key="stuck-1", faults=faults)
        order = demo.show_order(result.order)
        run = run_for(saga=checkout_saga.name, operation_id=order.operation_id)
        demo.check("the run waits for review", run.status == RunStatus.NEEDS_REVIEW)
        demo.check(
            "the order stays where the rollback stopped",
            order.state == "reserved",
            order.state,
        )
        demo.audit()

        demo.section("A reviewer fixes it, as in the admin")
        demo.note("the processor is back: the operation's fault plan is removed")
        fault_plan_clear(operation_id=order.operation_id)
        note = "Processor is back; retrying the refund."
        demo.note(f"reviewer: Retry compensations, note {note!r}")
        try:
            run = review_retry_compensations(run_id=run.pk, user=reviewer, note=note)
        except NeedsReview as still:
            run = still.run
    order = demo.show_order(order)
    facts = facts_for(order.operation_id)
    demo.note(facts.describe())
    demo.check(
        "the run is compensated", run.status == RunStatus.COMPENSATED, run.status
    )
    demo.check("the order was refunded", order.state == "refunded", order.state)
    demo.check(
        "the review is on record",
        run.review_actions.filter(actor=reviewer, result=run.status).exists(),
    )
    demo.audit()
