"""Charge and refund through the gateway, and keep our ledger of what happened.

Every call is idempotent twice over: our ledger is keyed by the idempotency key
(a recorded key returns its row without calling the gateway), and the processor
replays the first answer of a key it has already seen.
"""

from __future__ import annotations

from claims.rows import row_claim
from payments.exceptions import InvalidAmount, LedgerMismatch
from payments.gateway import GatewayCharge, GatewayRefund, payment_gateway
from payments.models import Charge, Refund
from payments.refunds import payment_refund_amount, refund_record


def payment_charge(
    *,
    operation_id: str,
    amount_minor: int,
    currency: str,
    token: str,
    idempotency_key: str,
) -> Charge:
    """Capture ``amount_minor`` for ``operation_id`` and record it in the ledger.

    ``payment_capture`` then ``payment_charge_record``; a saga step calls the
    two apart, so that the ledger row commits with the step's own record.
    Raise ``PaymentDeclined`` (or its ``InvalidPaymentToken``) on a declined card.
    """
    answer = payment_capture(
        operation_id=operation_id,
        amount_minor=amount_minor,
        currency=currency,
        token=token,
        idempotency_key=idempotency_key,
    )
    return _charge_record(operation_id, idempotency_key, answer)


def payment_capture(
    *,
    operation_id: str,
    amount_minor: int,
    currency: str,
    token: str,
    idempotency_key: str,
) -> GatewayCharge:
    """Ask the processor to capture ``amount_minor``; return its answer.

    Nothing of ours is written: the answer is recorded by
    ``payment_charge_record``. No look-up in our ledger first: the processor
    answers a repeated key with the charge it already made. Raise
    ``PaymentDeclined`` (or its ``InvalidPaymentToken``) on a declined card.
    """
    _amount_check(amount_minor, currency)
    return payment_gateway().charge(
        amount_minor=amount_minor,
        currency=currency,
        token=token,
        idempotency_key=idempotency_key,
        reference=operation_id,
    )


def payment_charge_record(
    *,
    operation_id: str,
    idempotency_key: str,
    external_id: str,
    amount_minor: int,
    currency: str,
) -> Charge:
    """Record in our ledger the charge the processor captured (once per key)."""
    charge, _ = row_claim(
        Charge,
        lookup={"idempotency_key": idempotency_key},
        values={
            "operation_id": operation_id,
            "external_id": external_id,
            "amount_minor": amount_minor,
            "currency": currency,
        },
    )
    return charge


def payment_refund(*, operation_id: str, idempotency_key: str) -> Refund | None:
    """Refund all that remains of the captured charge of ``operation_id``.

    None if no charge exists; a charge that is already refunded in full
    returns its last refund instead of a new one. Through the refund
    allowance (``payments.refunds``), like every refund.
    """
    refund = payment_refund_amount(
        operation_id=operation_id, idempotency_key=idempotency_key
    )
    if refund is None:
        return Refund.objects.filter(operation_id=operation_id).order_by("id").last()
    return refund


def payment_charge_lookup(
    *, idempotency_key: str, amount_minor: int, currency: str
) -> GatewayCharge | None:
    """Ask the processor whether the charge keyed ``idempotency_key`` happened.

    Return its answer if it captured it (for ``payment_charge_record``), None if
    it never did. Raise ``LedgerMismatch`` if the processor captured something
    other than what we asked for.
    """
    answer = payment_gateway().lookup(idempotency_key=idempotency_key)
    if not isinstance(answer, GatewayCharge) or not answer.succeeded:
        return None
    if (answer.amount_minor, answer.currency) != (amount_minor, currency):
        raise LedgerMismatch(
            f"Processor charge {answer.id} is {answer.amount_minor} "
            f"{answer.currency}, expected {amount_minor} {currency}."
        )
    return answer


def payment_reconcile_charge(
    *, operation_id: str, idempotency_key: str, amount_minor: int, currency: str
) -> Charge | None:
    """Ask the processor whether the charge keyed ``idempotency_key`` happened.

    Record it in the ledger if it did and we missed it (timeout, crash) and return
    it; return None if the processor never captured it. Raise ``LedgerMismatch``
    if the processor captured something other than what we asked for.
    """
    charge = Charge.objects.filter(idempotency_key=idempotency_key).first()
    if charge is not None:
        return charge
    answer = payment_charge_lookup(
        idempotency_key=idempotency_key, amount_minor=amount_minor, currency=currency
    )
    if answer is None:
        return None
    return _charge_record(operation_id, idempotency_key, answer)


def payment_reconcile_refund(
    *, operation_id: str, idempotency_key: str
) -> Refund | None:
    """Ask the processor whether the refund keyed ``idempotency_key`` happened.

    Record it if it did and we missed it, and return it; None if it never did.
    """
    refund = Refund.objects.filter(idempotency_key=idempotency_key).first()
    if refund is not None:
        return refund
    answer = payment_gateway().lookup(idempotency_key=idempotency_key)
    if not isinstance(answer, GatewayRefund):
        return None
    charge = Charge.objects.filter(external_id=answer.charge_id).first()
    if charge is None:
        raise LedgerMismatch(
            f"Processor refund {answer.id} is for charge {answer.charge_id}, "
            "which our ledger does not know."
        )
    return refund_record(
        operation_id=operation_id,
        idempotency_key=idempotency_key,
        charge=charge,
        answer=answer,
    )


def _amount_check(amount_minor: int, currency: str) -> None:
    if (
        not isinstance(amount_minor, int)
        or isinstance(amount_minor, bool)
        or amount_minor <= 0
        or not (len(currency) == 3 and currency.isalpha() and currency.isupper())
    ):
        raise InvalidAmount(f"Invalid amount {amount_minor!r} {currency!r}.")


def _charge_record(
    operation_id: str, idempotency_key: str, answer: GatewayCharge
) -> Charge:
    # A twin call with the same key may have recorded it first.
    return payment_charge_record(
        operation_id=operation_id,
        idempotency_key=idempotency_key,
        external_id=answer.id,
        amount_minor=answer.amount_minor,
        currency=answer.currency,
    )
