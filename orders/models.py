"""Products, and orders with their lines (their history is in ``orders.history``)."""

from __future__ import annotations

import uuid
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

from orders.exceptions import StateNotEditable
from orders.states import INITIAL_STATE, State

if TYPE_CHECKING:
    from orders.history import Transition

_NOT_LOADED = object()


class Product(models.Model):
    """Something we sell, identified by the SKU the warehouse shares."""

    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="orders_product_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Order(models.Model):
    """One checkout: what was bought, by whom, and where it is in its life.

    ``state`` moves only through events (``orders.services.order_transition``),
    persisted by a conditional update. Assigning it and calling ``save()`` raises
    ``StateNotEditable``; a new order can only be saved as ``created``.
    """

    State = State

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=INITIAL_STATE, db_index=True
    )
    total = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    # Derived from the user and the Idempotency-Key: unique, so even a failed key
    # store cannot create the same order twice. The services key their work on it.
    operation_id = models.CharField(max_length=64, unique=True)
    payment_token = models.CharField(max_length=100, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    # Faults to inject in this order's checkout (only honoured with FAULT_INJECTION).
    fault_plan = models.JSONField(default=dict, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="orders_order_total_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.id} ({self.state})"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Model.from_db() builds instances through __init__, so this is the state
        # the row had when it was read (or the default for a new order).
        self._persisted_state = self.__dict__.get("state", _NOT_LOADED)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the order, refusing a state that did not come from an event."""
        update_fields = kwargs.get("update_fields")
        writes_state = "state" in self.__dict__ and (
            update_fields is None or "state" in update_fields
        )
        if writes_state:
            self._check_state_unchanged()
        super().save(*args, **kwargs)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        """Reload fields from the database and remember the stored state."""
        super().refresh_from_db(*args, **kwargs)
        if "state" in self.__dict__:
            self._persisted_state = self.__dict__["state"]

    @cached_property
    def line_rows(self) -> list[OrderLine]:
        """Return the order's lines in order.

        Read once (or taken from ``prefetch_related("lines")``). Lines never
        change after the order is created, so ``order_insert`` sets the rows it
        wrote and a checkout reports them without reading them back.
        """
        return list(self.lines.all())

    @cached_property
    def transition_rows(self) -> list[Transition]:
        """Return the order's history, oldest first: the events it published.

        Read once (``orders.history``), or set by whoever knows it already
        (``order_insert``, a checkout that ran its saga in the request).
        """
        from orders.history import order_history

        return order_history(order=self)

    def set_persisted_state(self, state: str) -> None:
        """Record that the database now holds ``state`` (after a transition)."""
        self.state = state
        self._persisted_state = state

    def _check_state_unchanged(self) -> None:
        if self._state.adding:
            if self.state != INITIAL_STATE:
                raise StateNotEditable(
                    f"A new order starts {INITIAL_STATE!r}, not {self.state!r}.",
                    state=self.state,
                )
        elif self._persisted_state is not _NOT_LOADED and (
            self.state != self._persisted_state
        ):
            raise StateNotEditable(
                f"Order {self.id} is {self._persisted_state!r}; its state changes "
                f"only through events, not by saving {self.state!r}.",
                order_id=str(self.id),
                state=self._persisted_state,
                attempted_state=self.state,
            )


class OrderLine(models.Model):
    """One product and quantity of an order, priced when the order was created."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # A SKU string shared with the warehouse, not a foreign key: another service.
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    # The product's price and currency when the order was created: a later
    # price change never alters an existing order.
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="orders_orderline_quantity_gt_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
