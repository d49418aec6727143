"""Refunds by amount, capped by what was captured: the refund allowance as a lock.

A refund first takes its amount from the charge's allowance with one
conditional UPDATE (``refund_held_minor + amount <= amount_minor``) and a
``RefundHold`` keyed by the refund's idempotency key, committed before the
processor is asked; the processor's answer then settles the hold (our
``Refund`` row) or releases it (a refusal). Two refunds racing for the same
money cannot both be promised it, on SQLite or PostgreSQL: the condition and
the increment are one statement. A crash between the hold and the answer
leaves a pending hold that a retry with the same key picks up again.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from claims.rows import row_claim
from payments.allowance import allowance_take, charge_of, hold_release, hold_take
from payments.exceptions import (
    ChargeNotFound,
    IdempotencyKeyReused,
    LedgerMismatch,
    RefundExceedsCharge,
)
from payments.gateway import GatewayRefund, payment_gateway
from payments.models import Charge, Refund, RefundHold

# The processor's refusals: the money was not returned, so the hold is released.
REFUSALS = (RefundExceedsCharge, ChargeNotFound, IdempotencyKeyReused)
REFUND_POINT = "payments.refund"


def payment_refund_amount(
    *,
    operation_id: str,
    idempotency_key: str,
    amount_minor: int | None = None,
    reason: str = "",
    actor: str = "",
) -> Refund | None:
    """Refund ``amount_minor`` (all that remains if None) of the operation's charge.

    Hold, send, record, in that order (a saga step calls them apart). Return
    the refund; None when the operation has no charge, or when nothing
    remains and no amount was asked. Raise ``RefundExceedsCharge`` when the
    amount does not fit in what remains (nothing is held then). The same key
    again returns the first refund without asking the processor.
    """
    refund = Refund.objects.filter(idempotency_key=idempotency_key).first()
    if refund is not None:
        return refund
    hold = payment_refund_hold(
        operation_id=operation_id,
        idempotency_key=idempotency_key,
        amount_minor=amount_minor,
    )
    if hold is None:
        return None
    answer = payment_refund_send(
        idempotency_key=idempotency_key, reference=operation_id
    )
    return payment_refund_record(
        idempotency_key=idempotency_key,
        external_id=answer.id,
        reason=reason,
        actor=actor,
    )


def payment_refund_hold(
    *, operation_id: str, idempotency_key: str, amount_minor: int | None = None
) -> RefundHold | None:
    """Take ``amount_minor`` of the charge's refund allowance (all if None).

    The semantic lock of a refund, committed before the processor is asked.
    Return the hold (the existing one for a key seen before); None when the
    operation has no charge, or nothing remains and no amount was asked.
    Raise ``RefundExceedsCharge`` when the amount does not fit.
    """
    hold = (
        RefundHold.objects.select_related("charge")
        .filter(idempotency_key=idempotency_key)
        .first()
    )
    return hold or hold_take(
        operation_id=operation_id,
        idempotency_key=idempotency_key,
        amount_minor=amount_minor,
    )


def payment_refund_send(
    *,
    idempotency_key: str,
    reference: str,
    fault_point: str = REFUND_POINT,
    fault_scope: str = "",
) -> GatewayRefund:
    """Ask the processor for the refund its hold reserved; return its answer.

    Nothing of ours is written on success (``payment_refund_record`` does);
    a refusal releases the hold and is raised. A transient error or a
    timeout leaves the hold pending: the answer may have been lost after the
    refund, and a retry with the same key will tell. ``fault_point`` and
    ``fault_scope`` (an operation id) say which fault plan applies: a
    return's, not its order's.
    """
    hold = RefundHold.objects.select_related("charge").get(
        idempotency_key=idempotency_key
    )
    if hold.status == RefundHold.Status.RELEASED:
        raise RefundExceedsCharge(f"Refund {idempotency_key} was refused before.")
    try:
        return payment_gateway().refund(
            charge_id=hold.charge.external_id,
            amount_minor=hold.amount_minor,
            idempotency_key=idempotency_key,
            reference=reference,
            fault_point=fault_point,
            fault_scope=fault_scope or reference,
        )
    except REFUSALS:
        hold_release(hold=hold)
        raise


def payment_refund_record(
    *, idempotency_key: str, external_id: str, reason: str = "", actor: str = ""
) -> Refund:
    """Record the processor's refund ``external_id`` of a hold, settling the hold."""
    hold = RefundHold.objects.select_related("charge").get(
        idempotency_key=idempotency_key
    )
    answer = GatewayRefund(
        id=external_id,
        charge_id=hold.charge.external_id,
        amount_minor=hold.amount_minor,
        reference=hold.charge.operation_id,
    )
    return refund_record(
        operation_id=hold.charge.operation_id,
        idempotency_key=idempotency_key,
        charge=hold.charge,
        answer=answer,
        reason=reason,
        actor=actor,
    )


def payment_refund_release(*, idempotency_key: str) -> None:
    """Give back the allowance of a refund that will not be made (an undo).

    Only a pending hold is released: a settled one is money already returned.
    """
    hold = RefundHold.objects.filter(idempotency_key=idempotency_key).first()
    if hold is not None:
        hold_release(hold=hold)


def payment_refund_lookup(*, idempotency_key: str) -> GatewayRefund | None:
    """Ask the processor whether the refund keyed ``idempotency_key`` happened."""
    answer = payment_gateway().lookup(idempotency_key=idempotency_key)
    return answer if isinstance(answer, GatewayRefund) else None


def payment_refund_record_external(
    *,
    operation_id: str,
    amount_minor: int,
    reference: str,
    reason: str,
    actor: str,
) -> Refund:
    """Record a refund made outside this system, so the ledger tells the truth.

    ``reference`` is the processor's refund id when a person refunded at its
    dashboard (the processor is asked, and must agree on the charge and
    amount), or any reference of a payment outside the processor (a bank
    transfer). Idempotent by reference. Raise ``RefundExceedsCharge`` when it
    does not fit in what remains of the charge, ``LedgerMismatch`` when the
    processor's record of that refund says otherwise.
    """
    key = f"external:{reference}"
    refund = Refund.objects.filter(idempotency_key=key).first()
    if refund is not None:
        if refund.amount_minor != amount_minor:
            raise IdempotencyKeyReused(
                f"Refund {reference} was recorded for another amount."
            )
        return refund
    charge = charge_of(operation_id)
    if charge is None:
        raise ChargeNotFound(f"Operation {operation_id} has no charge.")
    known = payment_gateway().refund_get(refund_id=reference)
    if known is not None and (known.charge_id, known.amount_minor) != (
        charge.external_id,
        amount_minor,
    ):
        raise LedgerMismatch(
            f"Processor refund {reference} is {known.amount_minor} of "
            f"{known.charge_id}, not {amount_minor} of {charge.external_id}."
        )
    origin = Refund.Origin.DASHBOARD if known else Refund.Origin.OUTSIDE
    try:
        with transaction.atomic():
            if not allowance_take(charge_id=charge.pk, amount_minor=amount_minor):
                raise RefundExceedsCharge(
                    f"{amount_minor} exceeds what remains of {charge.external_id}."
                )
            refund = Refund.objects.create(
                operation_id=operation_id,
                charge=charge,
                external_id=reference,
                amount_minor=amount_minor,
                idempotency_key=key,
                origin=origin,
                reason=reason,
                actor=actor,
            )
            _status_follow(charge.pk)
    except IntegrityError:
        # The same record, made a moment ago by a twin (a double click).
        return Refund.objects.get(idempotency_key=key)
    return refund


def refund_record(
    *,
    operation_id: str,
    idempotency_key: str,
    charge: Charge,
    answer: GatewayRefund,
    reason: str = "",
    actor: str = "",
) -> Refund:
    """Record the processor's refund in our ledger and settle its hold (once per key).

    A refund found without a hold of ours (a lost answer reconciled from an
    older run) takes its allowance here.
    """
    with transaction.atomic():
        settled = RefundHold.objects.filter(
            idempotency_key=idempotency_key, status=RefundHold.Status.PENDING
        ).update(status=RefundHold.Status.SETTLED)
        refund, created = row_claim(
            Refund,
            lookup={"idempotency_key": idempotency_key},
            values={
                "operation_id": operation_id,
                "charge": charge,
                "external_id": answer.id,
                "amount_minor": answer.amount_minor,
                "reason": reason,
                "actor": actor,
            },
        )
        held = RefundHold.objects.filter(idempotency_key=idempotency_key).exists()
        if (
            created
            and not settled
            and not held
            and not allowance_take(
                charge_id=charge.pk, amount_minor=answer.amount_minor
            )
        ):
            raise LedgerMismatch(
                f"Processor refund {answer.id} exceeds what remains of "
                f"{charge.external_id} in our ledger."
            )
        _status_follow(charge.pk)
    return refund


def _status_follow(charge_id: int) -> None:
    """Mark the charge refunded once its refunds cover it."""
    charge = Charge.objects.get(pk=charge_id)
    refunded = sum(charge.refunds.values_list("amount_minor", flat=True))
    if refunded >= charge.amount_minor:
        Charge.objects.filter(pk=charge_id).update(status=Charge.Status.REFUNDED)
