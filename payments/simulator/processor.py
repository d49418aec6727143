"""The processor's behaviour: charge, refund and lookup, idempotent by key.

Test tokens in the style of the card networks' test cards: ``tok_visa`` is
approved, ``tok_chargeDeclined`` is declined, any other token is invalid.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import F

from claims.rows import row_claim
from payments.exceptions import (
    ChargeNotFound,
    IdempotencyKeyReused,
    InvalidPaymentToken,
    PaymentDeclined,
    RefundExceedsCharge,
)
from payments.simulator.models import ProcessorCharge, ProcessorRefund

APPROVED_TOKENS = frozenset({"tok_visa"})
DECLINED_TOKENS = frozenset({"tok_chargeDeclined"})
CARD_DECLINED = "card_declined"
INVALID_TOKEN = "invalid_token"


def processor_charge(
    *,
    amount_minor: int,
    currency: str,
    token: str,
    idempotency_key: str,
    reference: str,
) -> ProcessorCharge:
    """Charge the card behind ``token``; a repeated key replays the first answer."""
    request = {"amount_minor": amount_minor, "currency": currency, "token": token}
    if token in APPROVED_TOKENS:
        status, failure = ProcessorCharge.Status.SUCCEEDED, ""
    else:
        failure = CARD_DECLINED if token in DECLINED_TOKENS else INVALID_TOKEN
        status = ProcessorCharge.Status.FAILED
    # A key already used (a retry, or a twin arriving at once) gets the answer
    # the first request got.
    charge, _ = row_claim(
        ProcessorCharge,
        lookup={"idempotency_key": idempotency_key},
        values={
            "charge_id": f"ch_{uuid.uuid4().hex[:24]}",
            "reference": reference,
            "status": status,
            "failure_code": failure,
            **request,
        },
    )
    _same_request(charge, request)
    if charge.failure_code == CARD_DECLINED:
        raise PaymentDeclined(f"Charge {charge.charge_id} was declined.")
    if charge.failure_code == INVALID_TOKEN:
        raise InvalidPaymentToken(f"Unknown payment token {token!r}.")
    return charge


def processor_refund(
    *, charge_id: str, amount_minor: int, idempotency_key: str, reference: str
) -> ProcessorRefund:
    """Refund part or all of a charge; a repeated key replays the first refund."""
    request = {"charge_id": charge_id, "amount_minor": amount_minor}
    refund = _refund_by_key(idempotency_key)
    if refund is None:
        try:
            refund = _refund_create(request, idempotency_key, reference)
        except IntegrityError:
            refund = _refund_by_key(idempotency_key)
    _same_request(refund, request)
    return refund


def processor_lookup(
    *, idempotency_key: str
) -> ProcessorCharge | ProcessorRefund | None:
    """Return the charge or refund made with ``idempotency_key``, if any."""
    charge = ProcessorCharge.objects.filter(idempotency_key=idempotency_key).first()
    return charge or _refund_by_key(idempotency_key)


def _refund_create(
    request: dict, idempotency_key: str, reference: str
) -> ProcessorRefund:
    with transaction.atomic():
        # Lock the charge so two refunds cannot both fit in what remains.
        charge = (
            ProcessorCharge.objects.select_for_update()
            .filter(
                charge_id=request["charge_id"],
                status=ProcessorCharge.Status.SUCCEEDED,
            )
            .first()
        )
        if charge is None:
            raise ChargeNotFound(f"No charge {request['charge_id']}.")
        amount = request["amount_minor"]
        if amount > charge.amount_minor - charge.amount_refunded_minor:
            raise RefundExceedsCharge(
                f"{amount} exceeds what remains of {charge.charge_id}."
            )
        ProcessorCharge.objects.filter(pk=charge.pk).update(
            amount_refunded_minor=F("amount_refunded_minor") + amount
        )
        return ProcessorRefund.objects.create(
            refund_id=f"re_{uuid.uuid4().hex[:24]}",
            idempotency_key=idempotency_key,
            charge=charge,
            reference=reference,
            amount_minor=amount,
        )


def _refund_by_key(idempotency_key: str) -> ProcessorRefund | None:
    return (
        ProcessorRefund.objects.select_related("charge")
        .filter(idempotency_key=idempotency_key)
        .first()
    )


def _same_request(record: ProcessorCharge | ProcessorRefund, request: dict) -> None:
    """Refuse a key replayed with other parameters, as real processors do."""
    stored = {
        name: record.charge.charge_id if name == "charge_id" else getattr(record, name)
        for name in request
    }
    if stored != request:
        raise IdempotencyKeyReused(
            f"Key {record.idempotency_key!r} was used for {stored}."
        )
