"""The payment gateway client: the one door to the card processor.

Services talk to ``payment_gateway()``, never to the processor directly, so the
simulator could be swapped for a real PSP client with the same four methods. The
client is where faults are injected: around the processor call, as a flaky
network would; and where each call is traced as a client span of the
processor, with the idempotency key it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.db.models import Sum

from faults.hooks import fault_after, fault_before
from observability.tracing import client_span
from payments.simulator.models import ProcessorCharge, ProcessorRefund
from payments.simulator.processor import (
    processor_charge,
    processor_lookup,
    processor_refund,
)

PEER = "card-processor"


@dataclass(frozen=True)
class GatewayCharge:
    """The processor's answer about a charge."""

    id: str
    amount_minor: int
    currency: str
    succeeded: bool
    reference: str


@dataclass(frozen=True)
class GatewayRefund:
    """The processor's answer about a refund."""

    id: str
    charge_id: str
    amount_minor: int
    reference: str


@dataclass(frozen=True)
class SettlementLine:
    """What the processor captured and refunded for one merchant reference."""

    reference: str
    captured_minor: int
    refunded_minor: int


class PaymentGateway(Protocol):
    """What the services need from a card processor."""

    def charge(
        self,
        *,
        amount_minor: int,
        currency: str,
        token: str,
        idempotency_key: str,
        reference: str,
    ) -> GatewayCharge: ...

    def refund(
        self,
        *,
        charge_id: str,
        amount_minor: int,
        idempotency_key: str,
        reference: str,
        fault_point: str = "payments.refund",
        fault_scope: str = "",
    ) -> GatewayRefund: ...

    def refund_get(self, *, refund_id: str) -> GatewayRefund | None: ...

    def lookup(
        self, *, idempotency_key: str
    ) -> GatewayCharge | GatewayRefund | None: ...

    def settlement(self) -> list[SettlementLine]: ...


class SimulatedPaymentGateway:
    """A gateway whose processor is the in-process simulator.

    ``reference`` is our operation id: the processor keeps it (like a PSP's
    metadata) and the fault plan of that operation applies to the call.
    """

    def charge(
        self,
        *,
        amount_minor: int,
        currency: str,
        token: str,
        idempotency_key: str,
        reference: str,
    ) -> GatewayCharge:
        """Charge ``amount_minor``; raise ``PaymentDeclined`` on a declined card."""
        with client_span("payments.charge", peer=PEER, idempotency_key=idempotency_key):
            fault_before("payments.charge", reference)
            charge = processor_charge(
                amount_minor=amount_minor,
                currency=currency,
                token=token,
                idempotency_key=idempotency_key,
                reference=reference,
            )
            fault_after("payments.charge", reference)
        return _charge_answer(charge)

    def refund(
        self,
        *,
        charge_id: str,
        amount_minor: int,
        idempotency_key: str,
        reference: str,
        fault_point: str = "payments.refund",
        fault_scope: str = "",
    ) -> GatewayRefund:
        """Refund ``amount_minor`` of the charge ``charge_id``.

        ``fault_point`` and ``fault_scope`` (the operation whose plan applies,
        ``reference`` by default) let a return's refund be broken on its own.
        """
        scope = fault_scope or reference
        with client_span("payments.refund", peer=PEER, idempotency_key=idempotency_key):
            fault_before(fault_point, scope)
            refund = processor_refund(
                charge_id=charge_id,
                amount_minor=amount_minor,
                idempotency_key=idempotency_key,
                reference=reference,
            )
            fault_after(fault_point, scope)
        return _refund_answer(refund)

    def refund_get(self, *, refund_id: str) -> GatewayRefund | None:
        """Return the processor's refund ``refund_id`` (made anywhere), if any."""
        with client_span("payments.lookup", peer=PEER, idempotency_key=refund_id):
            refund = (
                ProcessorRefund.objects.select_related("charge")
                .filter(refund_id=refund_id)
                .first()
            )
        return _refund_answer(refund) if refund else None

    def lookup(self, *, idempotency_key: str) -> GatewayCharge | GatewayRefund | None:
        """Return what the processor did with ``idempotency_key``, if anything."""
        with client_span("payments.lookup", peer=PEER, idempotency_key=idempotency_key):
            record = processor_lookup(idempotency_key=idempotency_key)
        if isinstance(record, ProcessorCharge):
            return _charge_answer(record)
        if isinstance(record, ProcessorRefund):
            return _refund_answer(record)
        return None

    def settlement(self) -> list[SettlementLine]:
        """Return the processor's totals per reference, like a settlement report."""
        captured = dict(
            ProcessorCharge.objects.filter(status=ProcessorCharge.Status.SUCCEEDED)
            .values("reference")
            .annotate(total=Sum("amount_minor"))
            .values_list("reference", "total")
            .order_by()
        )
        refunded = dict(
            ProcessorRefund.objects.values("reference")
            .annotate(total=Sum("amount_minor"))
            .values_list("reference", "total")
            .order_by()
        )
        return [
            SettlementLine(
                reference=reference,
                captured_minor=captured.get(reference, 0),
                refunded_minor=refunded.get(reference, 0),
            )
            for reference in sorted(captured.keys() | refunded.keys())
        ]


def payment_gateway() -> PaymentGateway:
    """Return the gateway the services use."""
    return SimulatedPaymentGateway()


def _charge_answer(charge: ProcessorCharge) -> GatewayCharge:
    return GatewayCharge(
        id=charge.charge_id,
        amount_minor=charge.amount_minor,
        currency=charge.currency,
        succeeded=charge.status == ProcessorCharge.Status.SUCCEEDED,
        reference=charge.reference,
    )


def _refund_answer(refund: ProcessorRefund) -> GatewayRefund:
    return GatewayRefund(
        id=refund.refund_id,
        charge_id=refund.charge.charge_id,
        amount_minor=refund.amount_minor,
        reference=refund.reference,
    )
