"""Returns and refunds of shipped orders: what was asked, and where it stands."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models

from orders.models import Order
from orders.money import from_minor


class Return(models.Model):
    """One return of units (``return``) or one refund without goods (``refund``).

    A customer's return runs the return saga: the parcel booked and received,
    the units back on stock, their value refunded. A customer-service refund
    runs the refund saga: money only. ``state`` follows the saga's steps;
    ``refund_minor`` is what it refunds (or refunded), in the order's currency.
    """

    class Kind(models.TextChoices):
        RETURN = "return", "Return of units"
        REFUND = "refund", "Refund"

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        BOOKED = "booked", "Parcel booked"
        RECEIVED = "received", "Parcel received"
        RESTOCKED = "restocked", "Back on stock"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RETURN)
    # The saga run's operation id: derived from the caller and its key, so a
    # repeated request finds this row instead of making another.
    operation_id = models.CharField(max_length=100, unique=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.REQUESTED
    )
    reason = models.CharField(max_length=500, blank=True)
    actor = models.CharField(max_length=100, blank=True)
    refund_minor = models.PositiveBigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    parcel_id = models.CharField(max_length=40, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of order {self.order_id} ({self.state})"

    @property
    def refund_amount(self) -> Decimal:
        """Return what it refunds as money (``refund_minor`` in major units)."""
        return from_minor(self.refund_minor, self.currency)


class ReturnLine(models.Model):
    """Units of one SKU sent back, priced as the order line was."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    # The order line's price: what the customer paid, whatever the price now.
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="aftersales_returnline_quantity_gt_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
