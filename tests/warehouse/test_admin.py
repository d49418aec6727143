"""The stock admin shows what a person fixing stuck orders needs, and edits nothing."""

from __future__ import annotations

import pytest

from warehouse.services import stock_hold

pytestmark = pytest.mark.django_db

URL = "/admin/warehouse/stockitem/"


def test_stock_list_shows_available_units_and_pending_holds(admin_client, stock):
    stock(HOT=10)
    stock_hold(operation_id="op", lines=[("HOT", 3)])
    response = admin_client.get(URL)
    assert response.status_code == 200
    (row,) = response.context["cl"].result_list
    assert (row.on_hand, row.reserved, row.available, row.pending) == (10, 3, 7, 3)
    assert b"Pending holds" in response.content


@pytest.mark.parametrize("model", ["stockitem", "reservation", "stockmovement"])
def test_stock_cannot_be_added_from_the_admin(admin_client, model):
    assert admin_client.get(f"/admin/warehouse/{model}/add/").status_code == 403


def test_stock_list_counts_pending_holds_and_links_to_them(admin_client, stock):
    stock(HOT=10)
    stock_hold(operation_id="op-1", lines=[("HOT", 3)])
    stock_hold(operation_id="op-2", lines=[("HOT", 2)])

    response = admin_client.get(URL)

    (row,) = response.context["cl"].result_list
    assert (row.pending, row.pending_holds) == (5, 2)
    assert "/admin/warehouse/reservation/?q=HOT&amp;status__exact=pending" in (
        response.content.decode()
    )
