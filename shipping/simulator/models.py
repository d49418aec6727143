"""The carrier's own records: they stand for the carrier's database, not ours."""

from __future__ import annotations

from django.db import models


class CarrierShipment(models.Model):
    """A shipment as the carrier records it, keyed by the creation's idempotency key."""

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        CANCELLED = "cancelled", "Cancelled"

    shipment_id = models.CharField(max_length=40, unique=True)
    tracking_number = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    # The shipper's reference (our operation id), printed on the label.
    reference = models.CharField(max_length=100, db_index=True)
    address = models.JSONField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.CREATED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "carrier shipment (simulator)"

    def __str__(self) -> str:
        return f"{self.tracking_number} ({self.status})"
