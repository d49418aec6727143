"""The card-processor simulator: test tokens, idempotency keys, refund limits."""

from __future__ import annotations

import pytest

from payments.exceptions import (
    ChargeNotFound,
    IdempotencyKeyReused,
    InvalidPaymentToken,
    PaymentDeclined,
    RefundExceedsCharge,
)
from payments.simulator.models import ProcessorCharge, ProcessorRefund
from payments.simulator.processor import (
    processor_charge,
    processor_lookup,
    processor_refund,
)

pytestmark = pytest.mark.django_db


def charge(token: str = "tok_visa", key: str = "k1", amount: int = 1000):
    return processor_charge(
        amount_minor=amount,
        currency="EUR",
        token=token,
        idempotency_key=key,
        reference="op",
    )


def test_tok_visa_is_charged():
    made = charge()
    assert (made.status, made.amount_minor, made.reference) == ("succeeded", 1000, "op")
    assert made.charge_id.startswith("ch_")


def test_tok_charge_declined_is_declined_and_recorded_as_failed():
    with pytest.raises(PaymentDeclined) as raised:
        charge(token="tok_chargeDeclined")
    assert (raised.value.code, raised.value.status) == ("payment_declined", 402)
    assert ProcessorCharge.objects.get().failure_code == "card_declined"


def test_an_unknown_token_is_declined_as_invalid():
    with pytest.raises(InvalidPaymentToken) as raised:
        charge(token="tok_nonsense")
    assert raised.value.code == "invalid_payment_token"
    assert ProcessorCharge.objects.get().status == "failed"


def test_the_same_key_returns_the_same_charge():
    assert charge().charge_id == charge().charge_id
    assert ProcessorCharge.objects.count() == 1


def test_the_same_key_replays_a_decline():
    for _ in range(2):
        with pytest.raises(PaymentDeclined):
            charge(token="tok_chargeDeclined")
    assert ProcessorCharge.objects.count() == 1


def test_the_same_key_with_another_amount_is_refused():
    charge()
    with pytest.raises(IdempotencyKeyReused):
        charge(amount=999)
    assert ProcessorCharge.objects.count() == 1


def test_refund_takes_from_what_remains_of_the_charge():
    made = charge()
    refund = processor_refund(
        charge_id=made.charge_id, amount_minor=400, idempotency_key="r1", reference="op"
    )
    assert refund.amount_minor == 400
    made.refresh_from_db()
    assert made.amount_refunded_minor == 400


def test_refund_beyond_the_charge_is_refused():
    made = charge()
    with pytest.raises(RefundExceedsCharge):
        processor_refund(
            charge_id=made.charge_id,
            amount_minor=1001,
            idempotency_key="r1",
            reference="op",
        )
    assert not ProcessorRefund.objects.exists()


def test_refund_of_an_unknown_charge_is_refused():
    with pytest.raises(ChargeNotFound):
        processor_refund(
            charge_id="ch_nope", amount_minor=1, idempotency_key="r1", reference="op"
        )


def test_the_same_refund_key_refunds_once():
    made = charge()
    for _ in range(2):
        processor_refund(
            charge_id=made.charge_id,
            amount_minor=1000,
            idempotency_key="r1",
            reference="op",
        )
    assert ProcessorRefund.objects.count() == 1


def test_lookup_finds_charges_and_refunds_by_key():
    made = charge()
    refund = processor_refund(
        charge_id=made.charge_id, amount_minor=1, idempotency_key="r1", reference="op"
    )
    assert processor_lookup(idempotency_key="k1") == made
    assert processor_lookup(idempotency_key="r1") == refund
    assert processor_lookup(idempotency_key="never") is None
