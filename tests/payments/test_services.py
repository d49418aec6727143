"""Payment services: the ledger follows the processor, once per idempotency key."""

from __future__ import annotations

import pytest

from payments.exceptions import (
    InvalidAmount,
    InvalidPaymentToken,
    LedgerMismatch,
    PaymentDeclined,
)
from payments.models import Charge, Refund
from payments.services import (
    payment_reconcile_charge,
    payment_reconcile_refund,
    payment_refund,
)
from payments.simulator.models import ProcessorCharge, ProcessorRefund
from payments.simulator.processor import processor_charge, processor_refund
from tests.payments.conftest import OP

pytestmark = pytest.mark.django_db

CHARGE_KEY = f"checkout:{OP}:charge-card"
REFUND_KEY = f"checkout:{OP}:refund"


def refund() -> Refund | None:
    return payment_refund(operation_id=OP, idempotency_key=REFUND_KEY)


# --- payment_charge -----------------------------------------------------------------


def test_payment_charge_captures_and_records_the_processor_charge(charge_card):
    charge = charge_card()
    at_processor = ProcessorCharge.objects.get()
    assert charge.external_id == at_processor.charge_id
    assert (charge.operation_id, charge.amount_minor, charge.currency) == (
        OP,
        2500,
        "EUR",
    )
    assert (charge.status, at_processor.reference) == ("captured", OP)


def test_payment_charge_repeated_with_its_key_charges_once(charge_card):
    """A repeat asks the processor again with the same key: same charge, same row."""
    first = charge_card()
    again = charge_card()
    assert again.pk == first.pk
    assert (Charge.objects.count(), ProcessorCharge.objects.count()) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_payment_charge_first_call_costs_two_inserts(
    charge_card, django_assert_num_queries, settings
):
    """The usual path: the processor's record and our ledger row, nothing read first."""
    settings.FAULT_INJECTION = False
    with django_assert_num_queries(2):
        charge_card()


def test_payment_charge_declined_records_nothing_in_the_ledger(charge_card):
    with pytest.raises(PaymentDeclined):
        charge_card(token="tok_chargeDeclined")
    assert not Charge.objects.exists()


def test_payment_charge_with_an_invalid_token_is_declined(charge_card):
    with pytest.raises(InvalidPaymentToken):
        charge_card(token="tok_whatever")
    assert not Charge.objects.exists()


@pytest.mark.parametrize(
    ("amount", "currency"), [(0, "EUR"), (-5, "EUR"), (1.5, "EUR"), (10, "eur")]
)
def test_payment_charge_refuses_invalid_amounts(charge_card, amount, currency):
    with pytest.raises(InvalidAmount):
        charge_card(amount_minor=amount, currency=currency)
    assert not ProcessorCharge.objects.exists()


# --- payment_refund -----------------------------------------------------------------


def test_payment_refund_refunds_the_charge_in_full(charge_card):
    charge = charge_card()
    made = refund()
    assert (made.amount_minor, made.charge_id, made.operation_id) == (
        2500,
        charge.pk,
        OP,
    )
    assert made.external_id == ProcessorRefund.objects.get().refund_id
    charge.refresh_from_db()
    assert charge.status == "refunded"


def test_payment_refund_repeated_refunds_once(charge_card):
    charge_card()
    assert refund().pk == refund().pk
    assert (Refund.objects.count(), ProcessorRefund.objects.count()) == (1, 1)


def test_payment_refund_with_another_key_returns_the_existing_refund(charge_card):
    charge_card()
    first = refund()
    again = payment_refund(operation_id=OP, idempotency_key="another-key")
    assert again.pk == first.pk
    assert ProcessorRefund.objects.count() == 1


def test_payment_refund_without_a_charge_does_nothing():
    assert refund() is None
    assert not ProcessorRefund.objects.exists()


# --- reconciliation -----------------------------------------------------------------


def charge_at_processor_only(amount: int = 2500) -> ProcessorCharge:
    """Play a charge whose answer we lost: the processor has it, our ledger not."""
    return processor_charge(
        amount_minor=amount,
        currency="EUR",
        token="tok_visa",
        idempotency_key=CHARGE_KEY,
        reference=OP,
    )


def reconcile_charge() -> Charge | None:
    return payment_reconcile_charge(
        operation_id=OP, idempotency_key=CHARGE_KEY, amount_minor=2500, currency="EUR"
    )


def test_reconcile_charge_records_a_charge_the_ledger_missed():
    at_processor = charge_at_processor_only()
    charge = reconcile_charge()
    assert (charge.external_id, charge.idempotency_key) == (
        at_processor.charge_id,
        CHARGE_KEY,
    )
    assert Charge.objects.count() == 1


def test_reconcile_charge_returns_none_when_the_processor_never_charged():
    assert reconcile_charge() is None
    assert not Charge.objects.exists()


def test_reconcile_charge_returns_none_for_a_declined_attempt(charge_card):
    with pytest.raises(PaymentDeclined):
        charge_card(token="tok_chargeDeclined")
    assert reconcile_charge() is None


def test_reconcile_charge_returns_the_recorded_charge(charge_card):
    assert reconcile_charge() is None
    charge = charge_card()
    assert reconcile_charge().pk == charge.pk


def test_reconcile_charge_refuses_a_charge_of_another_amount():
    charge_at_processor_only(amount=9999)
    with pytest.raises(LedgerMismatch):
        reconcile_charge()
    assert not Charge.objects.exists()


def test_reconcile_refund_records_a_refund_the_ledger_missed(charge_card):
    charge = charge_card()
    processor_refund(
        charge_id=charge.external_id,
        amount_minor=2500,
        idempotency_key=REFUND_KEY,
        reference=OP,
    )
    made = payment_reconcile_refund(operation_id=OP, idempotency_key=REFUND_KEY)
    assert (made.charge_id, made.amount_minor) == (charge.pk, 2500)
    charge.refresh_from_db()
    assert charge.status == "refunded"


def test_reconcile_refund_returns_none_when_the_processor_never_refunded(charge_card):
    charge_card()
    assert payment_reconcile_refund(operation_id=OP, idempotency_key=REFUND_KEY) is None
    assert not Refund.objects.exists()
