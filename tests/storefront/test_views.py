"""The demo storefront: buy, watch the saga, break it in the lab, cancel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orders.models import Order
from payments.models import Charge
from sagas.clock import Clock, use_clock
from tests.orders.checkout.conftest import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def inline_notifications(settings):
    settings.SAGA_PARALLEL_EXECUTOR = "inline"


def purchase(key: str = "form-key-1", **extra) -> dict:
    """Return the POST data of the shop form: two T-shirts with the visa card."""
    address = {field: ADDRESS[field] for field in ADDRESS}
    return {
        "idempotency_key": key,
        "payment_token": "tok_visa",
        "qty_TEE-001": "2",
        "qty_MUG-001": "0",
        **address,
        **extra,
    }


@pytest.fixture
def shopper(client, buyer):
    client.force_login(buyer)
    return client


def test_catalog_shows_products_with_their_stock(client, catalog):
    response = client.get(reverse("storefront:catalog"))

    assert response.status_code == 200
    products = {product.sku: product for product in response.context["products"]}
    assert (products["TEE-001"].available, products["MUG-001"].available) == (10, 5)
    assert b"Log in to order" in response.content


def test_an_anonymous_purchase_is_sent_to_log_in(client, catalog):
    response = client.post(reverse("storefront:catalog"), purchase())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Order.objects.count() == 0


def test_a_purchase_runs_the_checkout_and_shows_the_order(shopper, catalog):
    response = shopper.post(reverse("storefront:catalog"), purchase(), follow=True)

    order = Order.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "storefront:order", args=[order.pk]
    )
    assert order.state == "shipped"
    page = response.content.decode()
    assert 'data-testid="order-state">Shipped' in page
    assert "create-shipment" in page
    assert "stateDiagram-v2" in page
    assert response.context["polling"] is False


def test_submitting_the_same_form_twice_places_one_order(shopper, catalog):
    shopper.post(reverse("storefront:catalog"), purchase(key="double-click"))
    shopper.post(reverse("storefront:catalog"), purchase(key="double-click"))

    assert Order.objects.count() == 1
    assert Charge.objects.count() == 1


def test_an_empty_basket_is_refused(shopper, catalog):
    response = shopper.post(
        reverse("storefront:catalog"), purchase(**{"qty_TEE-001": "0"})
    )

    assert response.status_code == 200
    assert "Choose at least one product." in response.content.decode()
    assert Order.objects.count() == 0


def test_the_lab_breaks_the_carrier_and_the_order_is_refunded(shopper, catalog):
    data = purchase(**{"shipping.create": "error"})

    response = shopper.post(reverse("storefront:lab"), data, follow=True)

    order = Order.objects.get()
    assert order.state == "refunded"
    steps = {step.name: step.status for step in response.context["steps"]}
    assert steps["charge-card"] == "compensated"
    assert steps["create-shipment"] == "failed"
    assert 'data-testid="order-state">Refunded' in response.content.decode()


def test_the_lab_refuses_faults_when_fault_injection_is_off(shopper, catalog, settings):
    settings.FAULT_INJECTION = False

    response = shopper.post(
        reverse("storefront:lab"), purchase(**{"payments.charge": "error"})
    )

    assert response.status_code == 200
    assert "Fault injection is switched off" in response.content.decode()
    assert Order.objects.count() == 0


def test_another_users_order_is_not_found(client, catalog, buyer, django_user_model):
    client.force_login(buyer)
    client.post(reverse("storefront:catalog"), purchase())
    order = Order.objects.get()
    bob = django_user_model.objects.create_user("bob", password="x")
    client.force_login(bob)

    response = client.get(reverse("storefront:order", args=[order.pk]))

    assert response.status_code == 404


def test_the_order_page_refreshes_its_status_fragment_for_htmx(shopper, catalog):
    shopper.post(reverse("storefront:catalog"), purchase())
    order = Order.objects.get()

    response = shopper.get(
        reverse("storefront:order", args=[order.pk]), HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="order-status"')
    assert "<html" not in page


def test_cancelling_a_shipped_order_is_refused_with_a_message(shopper, catalog):
    shopper.post(reverse("storefront:catalog"), purchase())
    order = Order.objects.get()

    response = shopper.post(reverse("storefront:cancel", args=[order.pk]), follow=True)

    order.refresh_from_db()
    assert order.state == "shipped"
    assert "shipped" in response.content.decode().lower()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_an_order_waiting_for_review_offers_no_cancel_button(shopper, catalog):
    """The refund kept failing: the run is a reviewer's to settle, not the buyer's."""
    data = purchase(**{"shipping.create": "error", "payments.refund": "error"})
    with use_clock(Clock.without_sleep()):
        shopper.post(reverse("storefront:lab"), data)
    order = Order.objects.get()

    response = shopper.get(reverse("storefront:order", args=[order.pk]))

    assert (order.state, response.context["run"].status) == ("reserved", "needs_review")
    assert response.context["can_cancel"] is False
    assert "Cancel order" not in response.content.decode()


def test_an_order_still_moving_offers_the_cancel_button(shopper, catalog, settings):
    settings.CHECKOUT_EXECUTION = "worker"  # nobody runs it here: still created
    shopper.post(reverse("storefront:catalog"), purchase())
    order = Order.objects.get()

    response = shopper.get(reverse("storefront:order", args=[order.pk]))

    assert response.context["can_cancel"] is True
    assert "Cancel order" in response.content.decode()


def test_the_shop_form_allows_what_the_api_allows_per_product(
    shopper, catalog, settings
):
    """The quantity limit is CHECKOUT_MAX_QUANTITY, the API's, not the form's own."""
    settings.CHECKOUT_MAX_QUANTITY = 3

    response = shopper.post(
        reverse("storefront:catalog"), purchase(**{"qty_TEE-001": "4"})
    )

    assert response.status_code == 200
    assert Order.objects.count() == 0
    assert "less than or equal to 3" in response.content.decode()
