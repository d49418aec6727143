"""Customer-service refunds (``refund_start``) and refunds made elsewhere, recorded.

The contract the customer-service screens call: in full, by amount or by lines;
idempotent by key; never more than what remains refundable.
"""

from __future__ import annotations

import pytest

from aftersales.exceptions import RefundNotAllowed, RefundTooLarge
from aftersales.models import Return
from aftersales.selectors import refundable_minor, returnable_quantities
from aftersales.services import refund_record_external, refund_start
from orders.audit import audit_problems
from orders.models import Order
from payments.models import Charge, Refund, RefundHold
from payments.simulator.models import ProcessorCharge
from payments.simulator.processor import processor_refund
from tests.aftersales.conftest import MUG_MINOR, TOTAL_MINOR

pytestmark = pytest.mark.django_db(transaction=True)


def refund(order: Order, key: str = "cs-1", **how) -> object:
    return refund_start(
        order=Order.objects.get(pk=order.pk),
        reason="Parcel damaged",
        idempotency_key=key,
        actor="staff:carol",
        **how,
    )


def test_a_full_refund_refunds_the_shipped_order(shipped):
    """Neither amount nor lines: everything captured goes back; the order follows."""
    outcome = refund(shipped)

    assert (outcome.amount_minor, outcome.status) == (TOTAL_MINOR, "refunded")
    assert outcome.run_status == "completed"
    assert Order.objects.get().state == "refunded"
    assert Refund.objects.get().reason == "Parcel damaged"
    assert audit_problems() == []


def test_a_refund_by_amount_leaves_the_order_shipped(shipped):
    """Part of the money back: still shipped, the rest still refundable."""
    outcome = refund(shipped, amount_minor=1000)

    assert outcome.amount_minor == 1000
    assert Order.objects.get().state == "shipped"
    assert refundable_minor(shipped) == TOTAL_MINOR - 1000
    assert Return.objects.get().kind == Return.Kind.REFUND
    assert audit_problems() == []


def test_a_refund_by_lines_refunds_their_price_as_sold(shipped):
    outcome = refund(shipped, lines=[("MUG-001", 1)])

    assert outcome.amount_minor == MUG_MINOR
    line = Return.objects.get().lines.get()
    assert (line.sku, line.quantity, str(line.unit_price)) == ("MUG-001", 1, "12.50")
    # Refunded, not returned: the mug can still be sent back.
    assert returnable_quantities(order=shipped)["MUG-001"] == 1


def test_the_same_key_twice_is_one_refund(shipped):
    """A double click: the second call returns the first outcome."""
    first = refund(shipped, key="twice", amount_minor=500)
    again = refund(shipped, key="twice", amount_minor=500)

    assert again == first
    assert Refund.objects.count() == 1


def test_more_than_refundable_is_refused_and_nothing_held(shipped):
    refund(shipped, key="first", amount_minor=5000)

    with pytest.raises(RefundTooLarge):
        refund(shipped, key="second", amount_minor=500)

    assert RefundHold.objects.count() == 1
    assert Return.objects.count() == 1
    assert audit_problems() == []


def test_a_refunded_order_has_nothing_left_to_refund(shipped):
    refund(shipped, key="all")

    with pytest.raises(RefundNotAllowed):
        refund(shipped, key="more")


def test_an_order_that_never_shipped_is_not_refunded_here(checkout):
    """A declined checkout is cancelled: its money never moved."""
    result = checkout(token="tok_chargeDeclined")

    with pytest.raises(RefundNotAllowed):
        refund(result.order)


def test_a_processor_refusal_gives_the_allowance_back(shipped, settings):
    """The processor says no: the run rolls back, the money is refundable again."""
    outcome = refund_start(
        order=shipped,
        reason="Goodwill",
        idempotency_key="refused",
        actor="staff:carol",
        amount_minor=1000,
    )
    assert outcome.status == "refunded"
    # The processor has refunded the rest behind our back: ours no longer fits.
    ProcessorCharge.objects.update(amount_refunded_minor=TOTAL_MINOR)

    outcome = refund(shipped, key="too-late", amount_minor=1000)

    assert (outcome.status, outcome.run_status) == ("cancelled", "compensated")
    assert RefundHold.objects.order_by("id").last().status == (
        RefundHold.Status.RELEASED
    )
    assert refundable_minor(shipped) == TOTAL_MINOR - 1000


# -- refunds made outside this system --------------------------------------------------


def dashboard_refund(amount_minor: int) -> str:
    """Refund at the processor's dashboard, as a person would: our ledger misses it."""
    charge = Charge.objects.get()
    made = processor_refund(
        charge_id=charge.external_id,
        amount_minor=amount_minor,
        idempotency_key="dashboard-1",
        reference=charge.operation_id,
    )
    return made.refund_id


def test_recording_a_dashboard_refund_makes_the_audit_agree(shipped):
    reference = dashboard_refund(2000)
    assert any("[ledger]" in problem for problem in audit_problems())

    refund_record_external(
        order=shipped,
        amount_minor=2000,
        reference=reference,
        reason="Refunded by phone",
        actor="staff:carol",
    )

    recorded = Refund.objects.get()
    assert (recorded.origin, recorded.actor) == ("dashboard", "staff:carol")
    assert refundable_minor(shipped) == TOTAL_MINOR - 2000
    assert audit_problems() == []


def test_recording_it_twice_records_it_once(shipped):
    reference = dashboard_refund(2000)
    for _ in range(2):
        refund_record_external(
            order=shipped, amount_minor=2000, reference=reference, reason="", actor="x"
        )

    assert Refund.objects.count() == 1


def test_a_refund_outside_the_processor_is_ours_alone(shipped):
    """A bank transfer: the ledger records it, the processor cannot know it."""
    refund_record_external(
        order=shipped,
        amount_minor=TOTAL_MINOR,
        reference="BANK-2026-001",
        reason="Card expired",
        actor="staff:carol",
    )

    assert Refund.objects.get().origin == "outside"
    assert Order.objects.get().state == "refunded"
    assert audit_problems() == []


def test_recording_more_than_refundable_is_refused(shipped):
    with pytest.raises(RefundTooLarge):
        refund_record_external(
            order=shipped,
            amount_minor=TOTAL_MINOR + 1,
            reference="BANK-2",
            reason="",
            actor="x",
        )

    assert not Refund.objects.exists()
