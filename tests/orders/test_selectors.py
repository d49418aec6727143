"""Selectors: a user sees only their own orders; the allowed events of an order."""

from __future__ import annotations

import uuid

import pytest

from orders.exceptions import OrderNotFound
from orders.models import Order
from orders.selectors import (
    order_allowed_events,
    order_cancellable,
    order_get_for_user,
    order_list_for_user,
    order_reread,
)
from sagas.models import SagaRun

pytestmark = pytest.mark.django_db


def test_order_list_holds_only_the_users_orders(make_order, user, other_user):
    """Another user's orders are not listed."""
    mine = make_order()
    make_order(owner=other_user)

    assert list(order_list_for_user(user=user)) == [mine]


def test_order_get_returns_the_users_order(order, user):
    """The owner gets the order by id (as a UUID or a string)."""
    assert order_get_for_user(user=user, order_id=str(order.pk)) == order
    assert order_get_for_user(user=user, order_id=order.pk) == order


@pytest.mark.parametrize("order_id", [lambda o: o.pk, lambda o: uuid.uuid4(), "x"])
def test_someone_elses_missing_or_malformed_order_is_not_found(
    order, other_user, order_id
):
    """Another user's order, an unknown id and a malformed id look the same."""
    wanted = order_id(order) if callable(order_id) else order_id

    with pytest.raises(OrderNotFound) as caught:
        order_get_for_user(user=other_user, order_id=wanted)

    assert (caught.value.code, caught.value.status) == ("order_not_found", 404)


def test_allowed_events_of_a_new_order(order):
    """A created order can be paid or cancelled."""
    assert order_allowed_events(order=order) == ["pay", "cancel"]


def test_allowed_events_of_a_shipped_order(order_in):
    """After the pivot a shipped order can only be refunded."""
    assert order_allowed_events(order=order_in("shipped")) == ["refund"]


def test_allowed_events_of_a_terminal_order(order_in):
    """Nothing can happen to a refunded order."""
    assert order_allowed_events(order=order_in("refunded")) == []


def test_order_reread_brings_the_stored_order_and_its_history_in_two_queries(
    order_in, django_assert_num_queries
):
    """The history rows carry their order; the lines held are carried over."""
    stale = Order.objects.get(pk=order_in("reserved").pk)
    lines = stale.line_rows
    Order.objects.filter(pk=stale.pk).update(failure_code="late")

    with django_assert_num_queries(2):
        fresh = order_reread(order=stale)
        events = [row.event for row in fresh.transition_rows]

    assert (fresh.state, fresh.failure_code) == ("reserved", "late")
    assert events == ["create", "pay", "reserve"]
    assert fresh.line_rows is lines
    assert all(row.order_id == str(fresh.pk) for row in fresh.transition_rows)


@pytest.mark.parametrize(
    ("state", "run_status", "cancellable"),
    [
        ("created", None, True),
        ("paid", "running", True),
        ("reserved", "compensating", True),
        ("reserved", "needs_review", False),
        ("shipped", "completed", False),
        ("refunded", "compensated", False),
    ],
)
def test_an_order_is_cancellable_while_undoable_and_its_saga_moves(
    state, run_status, cancellable
):
    order = Order(state=state)
    run = None if run_status is None else SagaRun(status=run_status)

    assert order_cancellable(order=order, run=run) is cancellable
