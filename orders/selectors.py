"""Read operations on orders: a user's orders and what can happen to one next."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from orders.exceptions import OrderNotFound
from orders.history import order_histories, order_history
from orders.machine import allowed_events
from orders.models import Order, Product
from orders.states import transition_for
from payments.selectors import payment_refunded_by_operation
from sagas.api import ACTIVE_STATUSES, SagaRun, runs_for
from warehouse.selectors import stock_list

# The name of the checkout saga (orders.checkout.saga), whose runs orders have.
CHECKOUT = "checkout"


def order_list_for_user(*, user: Any) -> QuerySet[Order]:
    """Return ``user``'s orders, newest first, with their lines prefetched.

    Their histories are read for a whole page at once: ``orders_with_history``.
    """
    return Order.objects.filter(owner=user).prefetch_related("lines")


def orders_with_history(orders: Iterable[Order]) -> list[Order]:
    """Give each of ``orders`` its history (one query for all); return them."""
    orders = list(orders)
    histories = order_histories(orders=orders)
    for order in orders:
        order.transition_rows = histories[str(order.pk)]
    return orders


def order_get_for_user(*, user: Any, order_id: object) -> Order:
    """Return ``user``'s order ``order_id``; anyone else's order is not found."""
    try:
        order_uuid = uuid.UUID(str(order_id))
    except ValueError:
        raise OrderNotFound(order_id=str(order_id)) from None
    # No prefetch: for one order, line_rows and transition_rows read lazily cost
    # the same, and a caller that replaces the history (a cancel) skips a read.
    order = Order.objects.filter(owner=user, pk=order_uuid).first()
    if order is None:
        raise OrderNotFound(order_id=str(order_id))
    return order


def order_reread(*, order: Order) -> Order:
    """Return ``order`` as stored now, with its history (two queries).

    Its lines never change, so the ones ``order`` holds are carried over.
    """
    fresh = Order.objects.get(pk=order.pk)
    fresh.line_rows = order.line_rows
    fresh.transition_rows = order_history(order=fresh)
    return fresh


def order_cancellable(*, order: Order, run: SagaRun | None) -> bool:
    """Return whether a person may cancel ``order`` now (``order_cancel`` would act).

    Its state must be one that ``cancel`` or ``refund`` leaves, and its saga, if
    any, must still be moving: a run waiting for review is a reviewer's to settle.
    """
    undoable = {*transition_for("cancel").sources, *transition_for("refund").sources}
    active = run is None or run.status in ACTIVE_STATUSES
    return order.state in undoable and active


def order_allowed_events(*, order: Order) -> list[str]:
    """Return the events the state machine allows from ``order``'s state."""
    return allowed_events(order.state)


def order_saga_runs(*, orders: Iterable[Order]) -> dict[str, SagaRun]:
    """Return the checkout runs of ``orders`` by operation id, with their steps.

    One query for any number of orders (a run's steps are in its own row): a
    run shares the order's operation id instead of a foreign key, so Django
    cannot prefetch it through a relation.
    """
    return runs_for(
        saga=CHECKOUT, operation_ids=[order.operation_id for order in orders]
    )


def order_refunds(*, orders: Iterable[Order]) -> dict[str, int]:
    """Return the money refunded of each of ``orders`` by operation id (one query)."""
    return payment_refunded_by_operation(
        operation_ids=[order.operation_id for order in orders]
    )


def product_list_with_stock() -> list[Product]:
    """Return the products for sale with ``available`` and ``pending`` units set.

    Two queries: the catalogue, then the warehouse's stock of its SKUs (another
    service's table, joined here by SKU rather than by a foreign key).
    """
    products = list(Product.objects.filter(active=True))
    stock = {item.sku: item for item in stock_list(skus=[p.sku for p in products])}
    for product in products:
        item = stock.get(product.sku)
        product.available = item.available if item else 0
        product.pending = item.pending if item else 0
    return products
