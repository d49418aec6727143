"""orders/subjects.py: how orders are described to, and found from, the review queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orders.subjects import order_search, order_subjects

pytestmark = pytest.mark.django_db


def test_orders_are_described_by_operation_id_in_one_query(
    make_order, django_assert_num_queries
):
    first, second = make_order(), make_order()

    with django_assert_num_queries(1):
        found = order_subjects([first.operation_id, second.operation_id, "op-none"])

    assert set(found) == {first.operation_id, second.operation_id}
    subject = found[first.operation_id]
    assert subject.label == str(first.pk)[:8]
    assert subject.url == reverse("admin:orders_order_change", args=[first.pk])
    assert subject.fields == {"state": "Created", "total": "48.00 EUR"}


def test_an_order_is_found_by_its_full_id(make_order):
    order, _ = make_order(), make_order()

    assert order_search(str(order.pk)) == [order.operation_id]


def test_an_order_is_found_by_the_start_of_its_id(make_order):
    order = make_order()

    assert order_search(str(order.pk)[:8].upper()) == [order.operation_id]


def test_a_term_too_short_finds_nothing(make_order):
    order = make_order()

    assert order_search(str(order.pk)[:3]) == []
