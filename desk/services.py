"""Customer service actions on an order, each recorded once as a ``DeskAction``.

Every action is keyed by its ``reference``: the one-time key of the form that
asked for it, or a refund's outside reference. A repeat (a double click, a
resubmitted form) finds the first action's row and does nothing more. Where the
action is local (recording an outside refund, handing a message over), its row
is written in the action's own transaction. A refund goes to the processor
through the refund service, idempotent by the same key, and is recorded once
the service answers: a repeat after a crash in between asks the service again,
which answers with the first refund.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from aftersales.services import refund_record_external, refund_start
from claims.rows import row_claim
from desk.exceptions import NoRecipient, NothingToResend
from desk.models import DeskAction
from notifications.services import notification_send
from orders.checkout.notices import customer_email, notice_recipients, shipped_notice
from orders.models import Order
from shipping.selectors import shipment_for


def desk_refund(
    *,
    order: Order,
    actor: str,
    reason: str,
    idempotency_key: str,
    amount_minor: int | None = None,
    lines: Sequence[tuple[str, int]] | None = None,
) -> DeskAction:
    """Refund the order (all that is refundable, an amount, or some lines), once.

    Raise the refund service's refusals (``RefundNotAllowed``,
    ``RefundTooLarge``): then nothing is refunded and nothing recorded. The
    action keeps the refund saga's answer: ``refunded``, or ``requested``
    while a worker runs it.
    """
    done = _done(DeskAction.Kind.REFUND, idempotency_key)
    if done is not None:
        return done
    outcome = refund_start(
        order=order,
        reason=reason,
        idempotency_key=idempotency_key,
        actor=actor,
        amount_minor=amount_minor,
        lines=lines,
    )
    action, _ = _record(
        DeskAction.Kind.REFUND,
        idempotency_key,
        order=order,
        actor=actor,
        reason=reason,
        amount_minor=outcome.amount_minor,
        detail={
            "lines": [list(line) for line in lines or []],
            "refund": outcome.return_id,
            "status": outcome.status,
        },
    )
    return action


def desk_refund_record_external(
    *, order: Order, actor: str, amount_minor: int, reference: str, reason: str
) -> DeskAction:
    """Record a refund made outside this system, so the ledger agrees with it.

    Idempotent by ``reference``; raise ``RefundTooLarge`` when the amount is
    more than is left to refund. The refund row and this action commit together.
    """
    with transaction.atomic():
        refund = refund_record_external(
            order=order,
            amount_minor=amount_minor,
            reference=reference,
            reason=reason,
            actor=actor,
        )
        action, _ = _record(
            DeskAction.Kind.EXTERNAL_REFUND,
            reference,
            order=order,
            actor=actor,
            reason=reason,
            amount_minor=amount_minor,
            detail={"refund": refund.external_id},
        )
    return action


def desk_notification_resend(
    *, order: Order, actor: str, channel: str, reason: str, idempotency_key: str
) -> DeskAction:
    """Send the order's "shipped" message again by ``channel``, once per key.

    The action's row is inserted first, in the transaction that hands the
    message over: a repeat racing this one waits on that row and then finds
    it; a channel that refuses rolls the row back. Raise ``NothingToResend``
    before the order has shipped, ``NoRecipient`` when the channel has no
    address (an order without a phone number, for SMS).
    """
    done = _done(DeskAction.Kind.RESEND, idempotency_key)
    if done is not None:
        return done
    shipment = shipment_for(operation_id=order.operation_id)
    if shipment is None or not shipment.tracking_number:
        raise NothingToResend()
    recipients = notice_recipients(
        email=customer_email(order.owner),
        phone=str(order.shipping_address.get("phone", "")),
    )
    if not recipients.get(channel):
        raise NoRecipient(f"Order {order.pk} has no {channel} recipient.")
    subject, body = shipped_notice(
        order_id=str(order.pk), tracking_number=shipment.tracking_number
    )
    with transaction.atomic():
        action, created = _record(
            DeskAction.Kind.RESEND,
            idempotency_key,
            order=order,
            actor=actor,
            reason=reason,
            detail={"channel": channel, "subject": subject},
        )
        if created:
            notification_send(
                operation_id=order.operation_id,
                channel=channel,
                recipient=recipients[channel],
                subject=subject,
                body=body,
                idempotency_key=idempotency_key,
            )
    return action


def _done(kind: str, reference: str) -> DeskAction | None:
    return DeskAction.objects.filter(kind=kind, reference=reference).first()


def _record(kind: str, reference: str, **fields: Any) -> tuple[DeskAction, bool]:
    """Insert the action, or return the one a repeat already recorded (and False).

    The unique (kind, reference) row is what a racing repeat meets.
    """
    fields["currency"] = fields["order"].currency
    return row_claim(
        DeskAction, lookup={"kind": kind, "reference": reference}, values=fields
    )
