"""Our shipments: one per operation, mirroring what the carrier booked.

The carrier simulator's own table lives in ``shipping.simulator.models``; it is
imported here only so Django registers it with this app.
"""

from __future__ import annotations

from django.db import models

from shipping.simulator.models import CarrierReturn, CarrierShipment

__all__ = ["CarrierReturn", "CarrierShipment", "Shipment"]


class Shipment(models.Model):
    """The shipment booked with the carrier for one operation."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    operation_id = models.CharField(max_length=100, unique=True)
    external_id = models.CharField(max_length=40, unique=True)
    tracking_number = models.CharField(max_length=40)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    address = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.tracking_number} for {self.operation_id} ({self.status})"
