"""Returned units back on stock: one ``returned`` movement per SKU and return."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from warehouse.models import StockMovement
from warehouse.selectors import stock_item_audit
from warehouse.services import stock_return

pytestmark = pytest.mark.django_db


def returned() -> list[tuple[str, int, str]]:
    return list(
        StockMovement.objects.filter(reason="returned").values_list(
            "sku", "delta", "operation_id"
        )
    )


def test_returned_units_go_back_on_hand_with_a_movement(stock, item):
    stock(A=3, B=1)

    back = stock_return(operation_id="ret-1", lines=[("A", 2), ("B", 1)])

    assert back == ["A", "B"]
    assert (item("A").on_hand, item("B").on_hand) == (5, 2)
    assert returned() == [("A", 2, "ret-1"), ("B", 1, "ret-1")]
    assert [row.problems for row in stock_item_audit()] == [[], []]


def test_returning_again_for_the_same_return_puts_nothing_more_back(stock, item):
    stock(A=3)
    stock_return(operation_id="ret-1", lines=[("A", 2)])

    assert stock_return(operation_id="ret-1", lines=[("A", 2)]) == []
    assert item("A").on_hand == 5


def test_the_database_refuses_a_second_movement_of_one_return(stock):
    stock(A=3)
    stock_return(operation_id="ret-1", lines=[("A", 1)])

    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(
            sku="A", delta=1, reason="returned", operation_id="ret-1"
        )


def test_another_return_of_the_same_sku_is_its_own_movement(stock, item):
    stock(A=3)
    stock_return(operation_id="ret-1", lines=[("A", 1)])
    stock_return(operation_id="ret-2", lines=[("A", 1)])

    assert item("A").on_hand == 5
    assert len(returned()) == 2
