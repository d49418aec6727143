"""Checkouts racing each other: the last units are never sold twice.

Each buyer runs in its own thread with its own database connection. The threads
wait at a barrier and are released together; a semaphore caps how many hold a
connection at once, as a connection pool would (PostgreSQL here allows about
100 connections in all).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from orders.audit import audit_problems
from orders.checkout.services import checkout_start
from orders.models import Order, Product
from payments.simulator.models import ProcessorCharge
from sagas.models import SagaRun
from shipping.simulator.models import CarrierShipment
from tests.orders.checkout.conftest import ADDRESS
from warehouse.exceptions import OutOfStock
from warehouse.models import StockItem
from warehouse.services import stock_set

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def flash_sale_item():
    Product.objects.create(sku="LAST-10", name="Limited print", price=Decimal("9.00"))
    stock_set(sku="LAST-10", on_hand=10)


def race(workers: int, jobs: list, *, concurrent: int) -> list:
    """Run ``jobs`` in threads released together; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    pool = threading.BoundedSemaphore(concurrent)

    def run(job):
        barrier.wait(timeout=60)
        with pool:
            try:
                return job()
            except Exception as error:  # the test inspects it
                return error
            finally:
                connection.close()

    with ThreadPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(run, jobs, timeout=300))


def buyer_checkout(user, key: str = "flash"):
    def job():
        return checkout_start(
            user=user,
            idempotency_key=key,
            lines=[{"sku": "LAST-10", "quantity": 1}],
            payment_token="tok_visa",
            shipping_address=ADDRESS,
        ).order

    return job


def flash_sale(django_user_model, buyers: int, concurrent: int) -> list:
    users = [
        django_user_model.objects.create_user(f"buyer{n}", password="x")
        for n in range(buyers)
    ]
    return race(buyers, [buyer_checkout(user) for user in users], concurrent=concurrent)


def assert_sold_exactly_the_stock(results: list, buyers: int) -> None:
    """10 shipped; every other buyer was refused and left nothing behind."""
    refused = [result for result in results if isinstance(result, OutOfStock)]
    errors = [r for r in results if isinstance(r, Exception) and r not in refused]
    assert errors == []
    assert len(refused) == buyers - 10
    outcomes = Counter(
        (order.state, order.failure_code) for order in Order.objects.all()
    )
    assert outcomes == {("shipped", ""): 10}
    assert SagaRun.objects.count() == 10
    item = StockItem.objects.get(sku="LAST-10")
    assert (item.on_hand, item.reserved) == (0, 0)
    assert ProcessorCharge.objects.filter(status="succeeded").count() == 10
    assert audit_problems() == []


@pytest.mark.postgres
def test_flash_sale_sells_exactly_the_stock_on_postgresql(
    flash_sale_item, django_user_model
):
    """100 buyers for 10 units: 10 shipped, 90 out of stock, nothing else."""
    results = flash_sale(django_user_model, buyers=100, concurrent=30)

    assert_sold_exactly_the_stock(results, buyers=100)


def test_flash_sale_sells_exactly_the_stock(flash_sale_item, django_user_model):
    """30 buyers for 10 units on whichever database runs the suite."""
    results = flash_sale(django_user_model, buyers=30, concurrent=10)

    assert_sold_exactly_the_stock(results, buyers=30)


@pytest.mark.partial_failure("checkout", "same_operation_twice")
def test_the_same_operation_started_twice_at_once(flash_sale_item, buyer):
    """Two identical requests at once: one order, one charge, one shipment."""
    results = race(2, [buyer_checkout(buyer, "twice")] * 2, concurrent=2)

    assert not [result for result in results if isinstance(result, Exception)]
    assert results[0].pk == results[1].pk
    assert Order.objects.count() == 1
    assert ProcessorCharge.objects.count() == 1
    assert CarrierShipment.objects.count() == 1
