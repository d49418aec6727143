"""stock_refuse_if_short: a SKU found short a moment ago is checked with one read."""

from __future__ import annotations

import pytest

from warehouse import shortage
from warehouse.exceptions import OutOfStock
from warehouse.services import stock_hold, stock_refuse_if_short, stock_set

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def last_unit():
    stock_set(sku="LAST", on_hand=1)
    stock_hold(operation_id="first", lines=[("LAST", 1)])
    with pytest.raises(OutOfStock):
        stock_hold(operation_id="second", lines=[("LAST", 1)])


def test_nothing_is_read_for_a_sku_never_found_short(django_assert_num_queries):
    stock_set(sku="PLENTY", on_hand=5)
    with django_assert_num_queries(0):
        stock_refuse_if_short(lines=[("PLENTY", 1)])


def test_a_sku_found_short_is_refused_with_one_read(
    last_unit, django_assert_num_queries
):
    with pytest.raises(OutOfStock) as refused, django_assert_num_queries(1):
        stock_refuse_if_short(lines=[("LAST", 1)])
    assert refused.value.skus == ["LAST"]


def test_a_sku_back_in_stock_is_let_through_and_forgotten(
    last_unit, django_assert_num_queries
):
    stock_set(sku="LAST", on_hand=3)
    stock_refuse_if_short(lines=[("LAST", 1)])  # one read: it is available

    with django_assert_num_queries(0):
        stock_refuse_if_short(lines=[("LAST", 1)])


def test_a_shortage_is_remembered_for_a_moment_only(last_unit, monkeypatch):
    later = shortage.time.monotonic() + shortage.REMEMBER_SECONDS + 1
    monkeypatch.setattr(shortage.time, "monotonic", lambda: later)

    assert shortage.shortage_suspects(["LAST"]) == []
