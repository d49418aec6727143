"""Order.save() refuses a state that did not come from an event; DB constraints."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from orders.exceptions import StateNotEditable
from orders.models import Order, OrderLine
from orders.states import State

pytestmark = pytest.mark.django_db


def test_assigning_state_and_saving_is_refused(order):
    """An existing order's state cannot be changed by assignment and save()."""
    order.state = State.SHIPPED

    with pytest.raises(StateNotEditable) as caught:
        order.save()

    assert caught.value.code == "state_not_editable"
    assert "only through events" in caught.value.message
    assert Order.objects.get(pk=order.pk).state == State.CREATED


def test_state_read_lazily_is_protected_too(order):
    """A deferred state, loaded on access, is still remembered as the stored one."""
    partial = Order.objects.only("id", "total").get(pk=order.pk)
    assert partial.state == State.CREATED
    partial.state = State.PAID

    with pytest.raises(StateNotEditable):
        partial.save()

    assert Order.objects.get(pk=order.pk).state == State.CREATED


def test_saving_other_fields_keeps_the_state(order):
    """save() is fine as long as the state is the one that was read."""
    loaded = Order.objects.get(pk=order.pk)
    loaded.failure_message = "note"
    loaded.save()

    assert Order.objects.get(pk=order.pk).failure_message == "note"


def test_new_order_must_start_created(user):
    """A new row may only be created in the initial state."""
    with pytest.raises(StateNotEditable):
        Order.objects.create(
            owner=user, state=State.PAID, total=Decimal("1.00"), operation_id="op-x"
        )

    assert not Order.objects.exists()


def test_negative_total_is_rejected_by_the_database(user):
    """CHECK constraint: total >= 0."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(owner=user, total=Decimal("-1.00"), operation_id="op-n")


def test_zero_quantity_is_rejected_by_the_database(order):
    """CHECK constraint: quantity > 0."""
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(
            order=order, sku="TEE-001", name="T", quantity=0, unit_price="1.00"
        )
