"""The refund allowance of a charge: the semantic lock every refund takes first.

``Charge.refund_held_minor`` counts the refunds made and those under way; a
refund takes its amount with one conditional UPDATE, and a ``RefundHold``
keyed by its idempotency key records what it took, until the processor's
answer settles it or a refusal releases it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from payments.exceptions import RefundExceedsCharge
from payments.models import Charge, RefundHold


def allowance_take(*, charge_id: int, amount_minor: int) -> bool:
    """Take ``amount_minor`` of a charge's refund allowance, if that much remains.

    One conditional UPDATE: the check and the increment cannot be split by a
    concurrent refund. Return whether it was taken.
    """
    return bool(
        Charge.objects.filter(
            pk=charge_id,
            refund_held_minor__lte=F("amount_minor") - amount_minor,
        ).update(refund_held_minor=F("refund_held_minor") + amount_minor)
    )


def hold_release(*, hold: RefundHold) -> None:
    """Give a pending hold's amount back to the charge's allowance (once)."""
    with transaction.atomic():
        released = RefundHold.objects.filter(
            pk=hold.pk, status=RefundHold.Status.PENDING
        ).update(status=RefundHold.Status.RELEASED)
        if released:
            Charge.objects.filter(pk=hold.charge_id).update(
                refund_held_minor=F("refund_held_minor") - hold.amount_minor
            )
            hold.status = RefundHold.Status.RELEASED


def hold_take(
    *, operation_id: str, idempotency_key: str, amount_minor: int | None
) -> RefundHold | None:
    """Take the allowance for a new refund and record its hold, in one commit."""
    charge = charge_of(operation_id)
    if charge is None:
        return None
    amount = charge.refundable_minor if amount_minor is None else amount_minor
    if amount_minor is None and amount == 0:
        return None
    if amount <= 0:
        raise RefundExceedsCharge(f"A refund of {amount} is not a refund.")
    try:
        with transaction.atomic():
            if not allowance_take(charge_id=charge.pk, amount_minor=amount):
                raise RefundExceedsCharge(
                    f"{amount} exceeds what remains of {charge.external_id}.",
                    refundable_minor=charge_of(operation_id).refundable_minor,
                )
            return RefundHold.objects.create(
                charge=charge, idempotency_key=idempotency_key, amount_minor=amount
            )
    except IntegrityError:
        # A twin call with the same key took it first: continue with its hold.
        return RefundHold.objects.select_related("charge").get(
            idempotency_key=idempotency_key
        )


def charge_of(operation_id: str) -> Charge | None:
    return Charge.objects.filter(operation_id=operation_id).order_by("id").last()
