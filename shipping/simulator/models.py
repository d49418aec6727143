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


class CarrierReturn(models.Model):
    """A return parcel as the carrier records it: booked, then received, or cancelled.

    ``received`` is set when the parcel reaches the warehouse; the simulator
    does it at once (``SHIPPING_RETURNS_ARRIVE_AT_ONCE``) or when a test says
    the parcel arrived (``carrier_return_arrive``).
    """

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    return_id = models.CharField(max_length=40, unique=True)
    tracking_number = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    # The shipper's reference (our return's operation id), printed on the label.
    reference = models.CharField(max_length=100, db_index=True)
    # The original shipment the parcel answers, as the carrier knows it.
    shipment_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "carrier return (simulator)"

    def __str__(self) -> str:
        return f"{self.tracking_number} ({self.status})"
