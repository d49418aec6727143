"""Admin screens for products and orders; an order's state is never editable here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from orders.models import Order, OrderLine, OrderTransition, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "price", "currency", "active"]
    list_filter = ["active", "currency"]
    search_fields = ["sku", "name"]


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows rows and never adds, changes or deletes them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "name", "quantity", "unit_price"]
    readonly_fields = fields


class OrderTransitionInline(ReadOnlyInline):
    model = OrderTransition
    fields = ["created_at", "event", "from_state", "to_state", "actor", "operation_id"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "state", "total", "currency", "created_at"]
    list_filter = ["state"]
    search_fields = ["id", "operation_id", "owner__username"]
    # The state moves only through events (orders.services.order_transition),
    # so it is shown but never a form field, on the add form as on the change form.
    readonly_fields = ["id", "state", "created_at", "updated_at"]
    inlines = [OrderLineInline, OrderTransitionInline]
