"""Our payment ledger: the charges and refunds we know the processor made for us.

The processor simulator's own tables live in ``payments.simulator.models``; they
are imported here only so Django registers them with this app.
"""

from __future__ import annotations

from django.db import models

from payments.simulator.models import ProcessorCharge, ProcessorRefund

__all__ = ["Charge", "ProcessorCharge", "ProcessorRefund", "Refund"]


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.amount_minor} {self.currency}"


class Refund(models.Model):
    """A refund of one of our charges, recorded once the processor confirmed it."""

    operation_id = models.CharField(max_length=100, db_index=True)
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="refunds")
    external_id = models.CharField(max_length=40, unique=True)
    amount_minor = models.PositiveBigIntegerField()
    idempotency_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.amount_minor} of {self.charge_id}"
