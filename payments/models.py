"""Our payment ledger: the charges and refunds we know the processor made for us.

The processor simulator's own tables live in ``payments.simulator.models``; they
are imported here only so Django registers them with this app.
"""

from __future__ import annotations

from django.db import models

from payments.simulator.models import ProcessorCharge, ProcessorRefund

__all__ = ["Charge", "ProcessorCharge", "ProcessorRefund", "Refund", "RefundHold"]


class Charge(models.Model):
    """A captured charge, recorded once the processor confirmed it."""

    class Status(models.TextChoices):
        CAPTURED = "captured", "Captured"
        REFUNDED = "refunded", "Refunded"

    operation_id = models.CharField(max_length=100, db_index=True)
    external_id = models.CharField(max_length=40, unique=True)
    amount_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.CAPTURED
    )
    idempotency_key = models.CharField(max_length=255, unique=True)
    # The refund allowance taken: refunds made plus refunds under way (their
    # holds). Raised only by a conditional UPDATE (``payments.allowance``), so
    # two refunds racing can never promise more than was captured.
    refund_held_minor = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refund_held_minor__lte=models.F("amount_minor")),
                name="payments_charge_refund_held_lte_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.amount_minor} {self.currency}"

    @property
    def refundable_minor(self) -> int:
        """Return what may still be refunded: captured minus refunds taken."""
        return self.amount_minor - self.refund_held_minor


class Refund(models.Model):
    """A refund of one of our charges, recorded once the processor confirmed it.

    ``origin`` says who made it: this system through the gateway, a person at
    the processor's dashboard (recorded afterwards), or a payment outside the
    processor altogether (a bank transfer), which the processor cannot know.
    """

    class Origin(models.TextChoices):
        GATEWAY = "gateway", "Through the gateway"
        DASHBOARD = "dashboard", "At the processor, recorded afterwards"
        OUTSIDE = "outside", "Outside the processor"

    operation_id = models.CharField(max_length=100, db_index=True)
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="refunds")
    external_id = models.CharField(max_length=40, unique=True)
    amount_minor = models.PositiveBigIntegerField()
    idempotency_key = models.CharField(max_length=255, unique=True)
    origin = models.CharField(
        max_length=10, choices=Origin.choices, default=Origin.GATEWAY
    )
    reason = models.CharField(max_length=500, blank=True)
    actor = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.amount_minor} of {self.charge_id}"


class RefundHold(models.Model):
    """Refund allowance taken on a charge before the processor is asked: the lock.

    Like a pending stock reservation, a ``pending`` hold is seen by every
    other refund of the charge (through ``Charge.refund_held_minor``), which
    is refused rather than promised money that is already spoken for. It
    becomes ``settled`` with its refund, or ``released`` if the processor
    refused. Keyed by the refund's idempotency key, so a retry finds it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SETTLED = "settled", "Settled"
        RELEASED = "released", "Released"

    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="holds")
    idempotency_key = models.CharField(max_length=255, unique=True)
    amount_minor = models.PositiveBigIntegerField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.amount_minor} of {self.charge_id} ({self.status})"
