"""Read the payment ledger, and compare it with the processor's settlement."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet, Sum, Value

from payments.gateway import payment_gateway
from payments.models import Charge, Refund, RefundHold


@dataclass(frozen=True)
class PaymentTotals:
    """Money captured and refunded for one operation, in minor units."""

    captured_minor: int
    refunded_minor: int

    @property
    def net_minor(self) -> int:
        """Return what the customer paid in the end."""
        return self.captured_minor - self.refunded_minor


@dataclass(frozen=True)
class PaymentAudit:
    """One operation's money in our ledger next to the processor's settlement."""

    operation_id: str
    ledger: PaymentTotals
    processor: PaymentTotals
    # Refunds recorded in the ledger that were paid outside the processor.
    outside_minor: int = 0

    @property
    def problems(self) -> list[str]:
        """Return how the ledger disagrees with the processor (empty if it agrees)."""
        problems = []
        if self.ledger.captured_minor != self.processor.captured_minor:
            problems.append(
                f"captured: ledger {self.ledger.captured_minor} != "
                f"processor {self.processor.captured_minor}"
            )
        at_processor = self.ledger.refunded_minor - self.outside_minor
        if at_processor != self.processor.refunded_minor:
            problems.append(
                f"refunded: ledger {at_processor} != "
                f"processor {self.processor.refunded_minor}"
            )
        return problems


def charges_for(*, operation_id: str) -> QuerySet[Charge]:
    """Return the ledger's charges of ``operation_id``."""
    return Charge.objects.filter(operation_id=operation_id)


def refunds_for(*, operation_id: str) -> QuerySet[Refund]:
    """Return the ledger's refunds of ``operation_id``."""
    return Refund.objects.filter(operation_id=operation_id)


def payment_totals(*, operation_id: str) -> PaymentTotals:
    """Return what our ledger says was captured and refunded for ``operation_id``.

    One query: the operation's charges and refunds (a handful of rows) come back
    together through UNION ALL and are added up here.
    """
    # order_by(): a compound statement's parts may not carry the default ordering.
    charges = (
        charges_for(operation_id=operation_id)
        .order_by()
        .values_list(Value("charge"), "amount_minor")
    )
    refunds = (
        refunds_for(operation_id=operation_id)
        .order_by()
        .values_list(Value("refund"), "amount_minor")
    )
    sums = {"charge": 0, "refund": 0}
    for kind, amount_minor in charges.union(refunds, all=True):
        sums[kind] += amount_minor
    return PaymentTotals(captured_minor=sums["charge"], refunded_minor=sums["refund"])


def payment_audit() -> list[PaymentAudit]:
    """Return, per operation, our ledger's totals next to the processor's."""
    processor = {
        line.reference: PaymentTotals(line.captured_minor, line.refunded_minor)
        for line in payment_gateway().settlement()
    }
    captured = _totals_by_operation(Charge.objects.all())
    refunded = _totals_by_operation(Refund.objects.all())
    # A refund paid outside the processor (a bank transfer) is ours alone.
    outside = _totals_by_operation(Refund.objects.filter(origin=Refund.Origin.OUTSIDE))
    ledger = {
        operation_id: PaymentTotals(
            captured.get(operation_id, 0), refunded.get(operation_id, 0)
        )
        for operation_id in captured.keys() | refunded.keys()
    }
    return [
        PaymentAudit(
            operation_id=operation_id,
            ledger=ledger.get(operation_id, PaymentTotals(0, 0)),
            processor=processor.get(operation_id, PaymentTotals(0, 0)),
            outside_minor=outside.get(operation_id, 0),
        )
        for operation_id in sorted(ledger.keys() | processor.keys())
    ]


def _totals_by_operation(rows: QuerySet) -> dict[str, int]:
    return dict(
        rows.values("operation_id")
        .annotate(total=Sum("amount_minor"))
        .values_list("operation_id", "total")
        .order_by()
    )


def payment_refundable_minor(*, operation_id: str) -> int:
    """Return what may still be refunded of ``operation_id``'s charges.

    Captured minus refunded minus refunds under way (their holds): the
    allowance the next refund can take.
    """
    return sum(
        charge.refundable_minor for charge in charges_for(operation_id=operation_id)
    )


def payment_allowance_problems() -> list[tuple[str, str]]:
    """Return ``(operation id, problem)`` for charges whose refunds do not add up.

    A charge's refunds never exceed it, and its allowance taken equals its
    refunds plus its pending holds.
    """
    refunded = dict(
        Refund.objects.values("charge_id")
        .annotate(total=Sum("amount_minor"))
        .values_list("charge_id", "total")
        .order_by()
    )
    pending = dict(
        RefundHold.objects.filter(status=RefundHold.Status.PENDING)
        .values("charge_id")
        .annotate(total=Sum("amount_minor"))
        .values_list("charge_id", "total")
        .order_by()
    )
    problems = []
    for charge in Charge.objects.only(
        "id", "operation_id", "amount_minor", "refund_held_minor", "external_id"
    ):
        made, held = refunded.get(charge.pk, 0), pending.get(charge.pk, 0)
        if made > charge.amount_minor:
            problems.append(
                (
                    charge.operation_id,
                    f"refunds {made} exceed charge {charge.external_id} "
                    f"of {charge.amount_minor}",
                )
            )
        if charge.refund_held_minor != made + held:
            problems.append(
                (
                    charge.operation_id,
                    f"allowance taken {charge.refund_held_minor} != refunds {made}"
                    f" + pending holds {held}",
                )
            )
    return problems


def payment_refunded_by_operation(*, operation_ids: list[str]) -> dict[str, int]:
    """Return the refunded minor units of each of ``operation_ids`` (one query)."""
    return _totals_by_operation(Refund.objects.filter(operation_id__in=operation_ids))
