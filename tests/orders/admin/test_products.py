"""Products are added and repriced in the admin; orders keep their prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.models import OrderLine, Product
from warehouse.models import StockItem

pytestmark = pytest.mark.django_db

FORM = {"name": "Saga hoodie", "price": "45.00", "currency": "EUR", "active": "on"}


def test_a_product_added_in_the_admin_gets_an_empty_stock_row(admin_client):
    response = admin_client.post(
        "/admin/orders/product/add/", {"sku": "HOOD-001", **FORM}
    )
    assert response.status_code == 302
    product = Product.objects.get(sku="HOOD-001")
    assert (product.name, product.price) == ("Saga hoodie", Decimal("45.00"))
    stock = StockItem.objects.get(sku="HOOD-001")
    assert (stock.on_hand, stock.reserved) == (0, 0)


def test_repricing_a_product_never_changes_an_order_already_placed(admin_client, order):
    product = Product.objects.get(sku="TEE-001")
    response = admin_client.post(
        f"/admin/orders/product/{product.pk}/change/",
        {"name": "T-shirt", "price": "30.00", "active": "on"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.price == Decimal("30.00")
    line = OrderLine.objects.get(order=order, sku="TEE-001")
    assert line.unit_price == Decimal("24.00")
    order.refresh_from_db()
    assert order.total == Decimal("48.00")


def test_the_sku_of_an_existing_product_cannot_be_changed(admin_client, products):
    product = products["TEE-001"]
    admin_client.post(
        f"/admin/orders/product/{product.pk}/change/",
        {"sku": "OTHER", "name": "T-shirt", "price": "24.00", "active": "on"},
    )
    product.refresh_from_db()
    assert product.sku == "TEE-001"
