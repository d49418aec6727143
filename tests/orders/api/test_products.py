"""GET /api/products/: the public catalogue with live stock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from orders.models import Product
from tests.orders.api.conftest import assert_problem
from warehouse.services import stock_hold

pytestmark = pytest.mark.django_db


def test_products_are_listed_with_prices_and_stock(catalog):
    """Anyone sees sku, name, price as a decimal string, currency and stock."""
    response = APIClient().get("/api/products/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "sku": "MUG-001",
            "name": "Mug",
            "price": "12.50",
            "currency": "EUR",
            "available": 5,
            "pending": 0,
        },
        {
            "sku": "TEE-001",
            "name": "T-shirt",
            "price": "20.00",
            "currency": "EUR",
            "available": 10,
            "pending": 0,
        },
    ]


def test_units_held_by_a_running_checkout_are_pending(catalog):
    """A pending hold shows as pending and is no longer available."""
    stock_hold(operation_id="op-1", lines=[{"sku": "TEE-001", "quantity": 3}])

    tee = APIClient().get("/api/products/").json()[1]

    assert (tee["available"], tee["pending"]) == (7, 3)


def test_inactive_products_and_products_without_stock(catalog):
    """Retired products are hidden; one the warehouse never stocked has 0."""
    Product.objects.create(sku="OLD-001", name="Old", price=Decimal(1), active=False)
    Product.objects.create(sku="NEW-001", name="New", price=Decimal(2))

    products = APIClient().get("/api/products/").json()

    assert [p["sku"] for p in products] == ["MUG-001", "NEW-001", "TEE-001"]
    assert (products[1]["available"], products[1]["pending"]) == (0, 0)


def test_a_bad_token_is_refused_even_on_the_public_list(catalog):
    """Credentials that are sent must be valid: 401 authentication_failed."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    assert_problem(client.get("/api/products/"), 401, "authentication_failed")
