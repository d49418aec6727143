"""The card processor's own records: they stand for the PSP's database, not ours."""

from __future__ import annotations

from django.db import models


class ProcessorCharge(models.Model):
    """A charge attempt as the processor records it, keyed by idempotency key.

    Declined attempts are recorded too: replaying their key replays the decline,
    as real processors replay the first response of a key.
    """

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    charge_id = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    # The merchant's reference (our operation id), like a PSP's metadata field.
    reference = models.CharField(max_length=100, db_index=True)
    amount_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    token = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices)
    failure_code = models.CharField(max_length=50, blank=True)
    amount_refunded_minor = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "processor charge (simulator)"

    def __str__(self) -> str:
        return f"{self.charge_id} {self.amount_minor} {self.currency} {self.status}"


class ProcessorRefund(models.Model):
    """A refund as the processor records it, keyed by idempotency key."""

    refund_id = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    charge = models.ForeignKey(
        ProcessorCharge, on_delete=models.PROTECT, related_name="refunds"
    )
    reference = models.CharField(max_length=100, db_index=True)
    amount_minor = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "processor refund (simulator)"

    def __str__(self) -> str:
        return f"{self.refund_id} of {self.charge.charge_id}: {self.amount_minor}"
