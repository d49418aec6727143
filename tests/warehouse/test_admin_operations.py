"""The stock item's action pages: receive goods and correct a count, by permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from warehouse.models import StockItem, StockMovement
from warehouse.services import stock_hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, django_user_model):
    """Return a logged-in staff client given the named warehouse permissions."""

    def login(*codenames: str):
        user = django_user_model.objects.create_user("clerk", is_staff=True)
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="warehouse",
                codename__in=["view_stockitem", *codenames],
            )
        )
        client.force_login(user)
        return client

    return login


def url(sku: str, action: str) -> str:
    return f"/admin/warehouse/stockitem/{StockItem.objects.get(sku=sku).pk}/{action}/"


def test_receiving_from_the_admin_adds_a_movement_once(clerk, stock, item):
    stock(A=2)
    client = clerk("receive_stock")
    form = client.get(url("A", "receive")).context["form"]
    data = {"key": form["key"].initial, "quantity": 4, "reason": "Delivery 7"}

    first = client.post(url("A", "receive"), data)
    again = client.post(url("A", "receive"), data)  # a double click

    assert first.status_code == again.status_code == 302
    assert item("A").on_hand == 6
    movement = StockMovement.objects.get(reason="receipt")
    assert (movement.actor, movement.note) == ("admin:clerk", "Delivery 7")


def test_a_count_below_the_reserved_units_is_a_form_error(clerk, stock, item):
    stock(A=5)
    stock_hold(operation_id="op", lines=[("A", 3)])
    client = clerk("adjust_stock")
    response = client.post(
        url("A", "adjust"), {"key": "stock:k", "counted": 1, "reason": "Lost"}
    )
    assert response.status_code == 200
    assert "3 units are reserved" in response.content.decode()
    assert item("A").on_hand == 5


@pytest.mark.parametrize("action", ["receive", "adjust"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_without_the_permission_the_page_is_403_and_nothing_moves(
    clerk, stock, item, action, method
):
    stock(A=5)
    client = clerk()  # may look at stock, may not change it
    data = {"key": "stock:k", "quantity": 3, "counted": 1, "reason": "x"}
    response = getattr(client, method)(url("A", action), data)
    assert response.status_code == 403
    assert item("A").on_hand == 5
    assert StockMovement.objects.count() == 1


def test_the_stock_list_links_the_operations_only_for_those_who_may(clerk, stock):
    stock(A=5)
    receive = url("A", "receive")
    assert receive not in clerk().get("/admin/warehouse/stockitem/").content.decode()


def test_the_stock_list_links_the_operations_for_a_receiver(clerk, stock):
    stock(A=5)
    page = clerk("receive_stock").get("/admin/warehouse/stockitem/").content.decode()
    assert url("A", "receive") in page
