"""The order page after the pivot: returns and refunds shown, "return items" offered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.models import Return
from orders.models import Order
from payments.models import Refund
from tests.storefront.test_views import purchase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def inline_notifications(settings):
    settings.SAGA_PARALLEL_EXECUTOR = "inline"


@pytest.fixture
def shipped(client, buyer, catalog) -> Order:
    """Two T-shirts bought and shipped, by a logged-in buyer."""
    client.force_login(buyer)
    client.post(reverse("storefront:catalog"), purchase())
    order = Order.objects.get()
    assert order.state == "shipped"
    return order


def give_back(key: str = "return-key-1", **extra) -> dict:
    return {"idempotency_key": key, "ret_TEE-001": "1", "reason": "Too big", **extra}


def test_a_shipped_order_offers_to_return_its_items(client, shipped):
    page = client.get(reverse("storefront:order", args=[shipped.pk])).content.decode()

    assert "Return items" in page
    assert 'name="ret_TEE-001"' in page


def test_the_return_form_runs_the_return_and_shows_the_refund(client, shipped):
    response = client.post(
        reverse("storefront:return", args=[shipped.pk]), give_back(), follow=True
    )

    assert Return.objects.get().state == Return.State.REFUNDED
    page = response.content.decode()
    assert 'data-testid="order-refunded">20.00 EUR' in page
    assert 'data-testid="return-state">refunded' in page
    assert "refund 20.00 EUR" in page
    assert "receive-parcel" in page


def test_submitting_the_return_form_twice_makes_one_return(client, shipped):
    for _ in range(2):
        client.post(reverse("storefront:return", args=[shipped.pk]), give_back())

    assert Return.objects.count() == 1
    assert Refund.objects.count() == 1


def test_returning_more_than_shipped_is_refused_with_a_message(client, shipped):
    response = client.post(
        reverse("storefront:return", args=[shipped.pk]),
        give_back(**{"ret_TEE-001": "3"}),
        follow=True,
    )

    assert not Return.objects.exists()
    assert "Ensure this value is less than or equal to 2" in response.content.decode()


def test_the_lab_breaks_a_return_step(client, shipped, settings):
    """With fault injection on, the form offers the return saga's fault points."""
    settings.FAULT_INJECTION = True
    page = client.get(reverse("storefront:order", args=[shipped.pk])).content.decode()
    assert 'name="shipping.return_book"' in page

    client.post(
        reverse("storefront:return", args=[shipped.pk]),
        give_back(**{"shipping.return_book": "error"}),
    )

    assert Return.objects.get().state == Return.State.CANCELLED
    assert not Refund.objects.exists()


def test_another_users_order_cannot_be_returned(client, shipped, django_user_model):
    client.force_login(django_user_model.objects.create_user("bob"))

    response = client.post(reverse("storefront:return", args=[shipped.pk]), give_back())

    assert response.status_code == 404
    assert not Return.objects.exists()


def test_return_faults_chosen_in_the_lab_at_checkout_break_the_return(
    client, buyer, catalog, settings
):
    """The lab buys with a plan; its return-only points apply to the order's returns."""
    settings.FAULT_INJECTION = True
    client.force_login(buyer)
    client.post(
        reverse("storefront:lab"), purchase(**{"shipping.return_book": "error"})
    )
    order = Order.objects.get()
    assert order.state == "shipped"

    client.post(reverse("storefront:return", args=[order.pk]), give_back())

    assert Return.objects.get().state == Return.State.CANCELLED


def test_the_lab_lists_the_return_sagas_fault_points(client, buyer, catalog):
    client.force_login(buyer)

    page = client.get(reverse("storefront:lab")).content.decode()

    for point in (
        "shipping.return_book",
        "shipping.return_receive",
        "warehouse.restock",
    ):
        assert f'name="{point}"' in page
    assert "break the order's returns" in page
