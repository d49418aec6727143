"""Stock per SKU, the reservations that lock it, and the movements that audit it."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class StockItem(models.Model):
    """How many units of a SKU the warehouse has, and how many are spoken for.

    ``on_hand`` changes only together with a ``StockMovement``; ``reserved`` is the
    sum of the pending and confirmed reservations; ``selectors.stock_list()``
    adds ``available`` (on_hand - reserved) and ``pending``. The CHECK constraints
    make the database itself refuse an oversell, whatever the code above it does.
    """

    sku = models.CharField(max_length=64, unique=True)
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        # What a person may do to stock, always through the services.
        permissions = [
            ("receive_stock", "Can receive goods into stock"),
            ("adjust_stock", "Can correct a stock count"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="warehouse_stock_on_hand_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="warehouse_stock_reserved_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")),
                name="warehouse_stock_reserved_lte_on_hand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku}: {self.on_hand} on hand, {self.reserved} reserved"


class Reservation(models.Model):
    """Units of one SKU held for one operation: the saga's semantic lock.

    A ``pending`` reservation is visible to every other checkout, which fails fast
    instead of overselling; it expires if its saga dies. ``confirmed`` units are
    sold but not yet shipped; ``shipped`` ones left the warehouse; ``released``
    ones went back to stock.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        SHIPPED = "shipped", "Shipped"
        RELEASED = "released", "Released"

    operation_id = models.CharField(max_length=100)
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["operation_id", "sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation_id", "sku"], name="warehouse_one_hold_per_sku"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="warehouse_reservation_quantity_gt_0"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.quantity} x {self.sku} ({self.status})"


class StockMovement(models.Model):
    """One change of a SKU's ``on_hand``: the sum of the deltas is the stock.

    A person's change (goods received, a count corrected) also says who made it
    and why (``actor``, ``note``): the movement is that change's audit record.
    """

    class Reason(models.TextChoices):
        ADJUSTMENT = "adjustment", "Adjustment"
        SHIPMENT = "shipment", "Shipment"
        RETURNED = "returned", "Returned"
        RECEIPT = "receipt", "Goods received"
        COUNT = "count", "Count corrected"

    sku = models.CharField(max_length=64)
    delta = models.IntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    operation_id = models.CharField(max_length=100, blank=True)
    actor = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sku"])]
        constraints = [
            # A return puts a SKU back once: a repeat cannot count it twice.
            models.UniqueConstraint(
                fields=["operation_id", "sku"],
                condition=Q(reason="returned"),
                name="warehouse_one_return_movement_per_sku",
            ),
            # A person's receipt or count, repeated with its form's one-time
            # key, is refused by the database: one change, one movement.
            models.UniqueConstraint(
                fields=["operation_id", "reason"],
                condition=Q(reason__in=["receipt", "count"]) & ~Q(operation_id=""),
                name="warehouse_one_movement_per_stock_operation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.delta:+d} ({self.reason})"
