"""Add products to the catalogue and change them: the writes behind the product admin.

A price lives on the product only until someone buys it: an order line copies
the price when the order is placed (``orders.services``), so repricing a
product never changes an order already taken.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from orders.models import Product
from warehouse.services import stock_register


def product_create(
    *, sku: str, name: str, price: Decimal, currency: str = "EUR", active: bool = True
) -> Product:
    """Add a product, and make the warehouse keep (empty) stock of its SKU.

    Goods are then received into that stock (``manage.py stock_receive``, or
    the stock item's page in the admin).
    """
    with transaction.atomic():
        product = Product.objects.create(
            sku=sku, name=name, price=price, currency=currency, active=active
        )
        stock_register(sku=sku)
    return product


def product_update(
    *, product: Product, name: str, price: Decimal, active: bool
) -> Product:
    """Rename, reprice, list or delist ``product``; its SKU and currency stay.

    Orders already placed keep the price their lines were sold at.
    """
    product.name, product.price, product.active = name, price, active
    product.save(update_fields=["name", "price", "active"])
    return product
