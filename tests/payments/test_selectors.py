"""Payment selectors: totals per operation and the ledger-versus-processor audit."""

from __future__ import annotations

import pytest

from payments.selectors import (
    PaymentTotals,
    charges_for,
    payment_audit,
    payment_totals,
    refunds_for,
)
from payments.services import payment_refund
from payments.simulator.processor import processor_charge
from tests.payments.conftest import OP

pytestmark = pytest.mark.django_db


def test_payment_totals_add_up_captures_and_refunds(charge_card):
    assert payment_totals(operation_id=OP) == PaymentTotals(0, 0)
    charge_card()
    assert payment_totals(operation_id=OP) == PaymentTotals(2500, 0)
    payment_refund(operation_id=OP, idempotency_key="refund")
    totals = payment_totals(operation_id=OP)
    assert (totals, totals.net_minor) == (PaymentTotals(2500, 2500), 0)


def test_payment_totals_ask_the_ledger_once(charge_card, django_assert_num_queries):
    charge_card()
    payment_refund(operation_id=OP, idempotency_key="refund")

    with django_assert_num_queries(1):
        totals = payment_totals(operation_id=OP)

    assert totals == PaymentTotals(2500, 2500)


def test_charges_and_refunds_for_list_only_the_operation(charge_card):
    charge_card()
    charge_card(operation_id="other", idempotency_key="other-key")
    payment_refund(operation_id=OP, idempotency_key="refund")
    assert [c.operation_id for c in charges_for(operation_id=OP)] == [OP]
    assert refunds_for(operation_id="other").count() == 0


def test_payment_audit_agrees_when_the_ledger_follows_the_processor(charge_card):
    charge_card()
    charge_card(operation_id="other", idempotency_key="other-key")
    payment_refund(operation_id=OP, idempotency_key="refund")
    rows = {row.operation_id: row for row in payment_audit()}
    assert rows[OP].processor == PaymentTotals(2500, 2500)
    assert [row.problems for row in rows.values()] == [[], []]


def test_payment_audit_reports_a_charge_missing_from_the_ledger():
    processor_charge(
        amount_minor=700,
        currency="EUR",
        token="tok_visa",
        idempotency_key="lost",
        reference="lost-op",
    )
    (row,) = payment_audit()
    assert (row.operation_id, row.ledger, row.processor) == (
        "lost-op",
        PaymentTotals(0, 0),
        PaymentTotals(700, 0),
    )
    assert row.problems == ["captured: ledger 0 != processor 700"]
