"""The product catalogue in the admin: products are added and repriced here.

Saving goes through ``orders.catalogue``: a new product gets its (empty) stock
row, and a price change touches the product only, never an order already
placed. The SKU and currency are fixed once the product exists: order lines and
stock refer to the SKU.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from orders.catalogue import product_create, product_update
from orders.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "price", "currency", "active"]
    list_filter = ["active", "currency"]
    search_fields = ["sku", "name"]
    fields = ["sku", "name", "price", "currency", "active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["sku", "currency"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Order lines name the SKU: delist a product (active off), never delete it.
        return False

    def save_model(
        self, request: HttpRequest, obj: Product, form: ModelForm, change: bool
    ) -> None:
        """Save through the catalogue's services, never a bare ``obj.save()``."""
        if change:
            product_update(
                product=obj, name=obj.name, price=obj.price, active=obj.active
            )
        else:
            created = product_create(
                sku=obj.sku,
                name=obj.name,
                price=obj.price,
                currency=obj.currency,
                active=obj.active,
            )
            obj.pk = created.pk
