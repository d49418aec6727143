"""Admin screens for products and orders; an order's state is never editable here."""

from __future__ import annotations

from orders.admin.orders import OrderAdmin
from orders.admin.products import ProductAdmin

__all__ = ["OrderAdmin", "ProductAdmin"]
