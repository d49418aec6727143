"""The order page tells the checkout's story in order, and names its trace."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import Order
from tests.observability.traces import spans  # noqa: F401  (the fixture)
from tests.storefront.test_views import purchase

pytestmark = pytest.mark.django_db(transaction=True)

EVENT = re.compile(
    r'<li class="event event-(\w+)" data-kind="(\w+)" data-step="([\w-]*)"'
)


@pytest.fixture(autouse=True)
def inline_notifications(settings):
    settings.SAGA_PARALLEL_EXECUTOR = "inline"


def buy_with_the_carrier_down(buyer) -> tuple[Client, Order]:
    shopper = Client()  # made now: after tracing started, when a test traces
    shopper.force_login(buyer)
    shopper.post(reverse("storefront:lab"), purchase(**{"shipping.create": "error"}))
    return shopper, Order.objects.get()


def test_the_undos_are_shown_after_the_retries_last_step_first(catalog, buyer):
    shopper, order = buy_with_the_carrier_down(buyer)

    page = shopper.get(reverse("storefront:order", args=[order.pk])).content.decode()

    events = EVENT.findall(page)
    undone = [step for _, kind, step in events if kind == "compensated"]
    assert undone == ["confirm-reservation", "charge-card", "hold-stock"]
    retries = [step for phase, _, step in events if phase == "retry"]
    assert retries == ["create-shipment"] * 3
    failed = events.index(("failure", "step_failed", "create-shipment"))
    assert failed < events.index(("undo", "rolling_back", "create-shipment"))
    assert "create-shipment: attempt 1 failed" in page
    assert "waited " in page


def test_an_untraced_order_shows_no_trace(catalog, buyer):
    shopper, order = buy_with_the_carrier_down(buyer)

    page = shopper.get(reverse("storefront:order", args=[order.pk])).content.decode()

    assert 'data-testid="trace-id"' not in page


def test_a_traced_order_names_its_trace_and_links_to_it(
    catalog,
    buyer,
    spans,  # noqa: F811
    settings,
):
    settings.SAGA_TRACE_URL = "http://127.0.0.1:16686/trace/{trace_id}"
    shopper, order = buy_with_the_carrier_down(buyer)

    page = shopper.get(reverse("storefront:order", args=[order.pk])).content.decode()

    trace_id = f"{spans.one('saga.run checkout').context.trace_id:032x}"
    assert (
        f'<a href="http://127.0.0.1:16686/trace/{trace_id}">'
        f'<code data-testid="trace-id">{trace_id}</code></a>'
    ) in page
