"""The order page: its diagram, the events it may take, firing them by the machine."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.history import order_history
from orders.models import Order
from sagas.models import SagaRun

pytestmark = pytest.mark.django_db


def page(order: Order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def fire(client, order: Order, event: str):
    """POST an event from the order page; return the response and its messages."""
    url = reverse("admin:orders_order_event", args=[order.pk])
    response = client.post(url, {"event": event})
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def offered(client, order: Order) -> list[str]:
    return [rule.event for rule in client.get(page(order)).context["events"]]


def test_the_diagram_highlights_the_current_state(onlooker_client, order_in):
    html = onlooker_client.get(page(order_in("paid"))).content.decode()

    assert '<pre class="mermaid" id="order-diagram" data-state="paid">' in html
    assert "Class paid s_active" in html
    assert "Class created s_default" in html


def test_mermaid_comes_from_local_static_files(onlooker_client, order):
    html = onlooker_client.get(page(order)).content.decode()

    assert '<script src="/static/vendor/mermaid/mermaid.min.js"></script>' in html
    assert "cdn" not in html.lower()


@pytest.mark.parametrize(
    ("state", "events"),
    [
        ("created", ["pay", "cancel"]),
        ("paid", ["reserve", "refund"]),
        ("reserved", ["ship", "refund"]),
        ("shipped", ["refund"]),
    ],
)
def test_only_events_allowed_from_the_state_are_offered(
    clerk_client, order_in, state, events
):
    assert offered(clerk_client, order_in(state)) == events


def test_offered_events_are_buttons_for_those_who_may_change_orders(
    clerk_client, order
):
    html = clerk_client.get(page(order)).content.decode()

    assert 'data-event="pay"' in html
    assert 'data-event="cancel"' in html
    assert 'data-event="ship"' not in html


def test_onlookers_see_the_events_but_get_no_buttons(onlooker_client, order):
    html = onlooker_client.get(page(order)).content.decode()

    assert 'data-event="cancel"' not in html
    assert "You can look at this order but not move it." in html


def test_firing_an_event_goes_through_the_state_machine(clerk_client, order):
    """No charge remains on a created order, so cancel's guard holds."""
    response, texts = fire(clerk_client, order, "cancel")

    assert response.status_code == 302
    assert texts == ["Event 'cancel': Created -> Cancelled."]
    order.refresh_from_db()
    assert order.state == "cancelled"
    last = order_history(order=order)[-1]
    assert (last.event, last.actor) == ("cancel", "admin:clerk")
    assert LogEntry.objects.get().change_message == "Event cancel: Created -> Cancelled"


def test_a_guard_that_does_not_hold_is_explained(clerk_client, order):
    """Nothing was charged, so pay's guard refuses; the state stays."""
    _, texts = fire(clerk_client, order, "pay")

    assert texts == [
        f"Nothing was done: Order {order.pk} is 'created': event 'pay' needs "
        "'charge_covers_total', which does not hold."
    ]
    order.refresh_from_db()
    assert order.state == "created"


def test_an_illegal_event_is_refused_with_the_allowed_ones(clerk_client, order):
    _, texts = fire(clerk_client, order, "ship")

    assert texts == [
        f"Nothing was done: Order {order.pk} is 'created': event 'ship' is not "
        "allowed (allowed: cancel, pay)."
    ]
    assert len(order_history(order=order)) == 1


def test_onlookers_cannot_fire_events(onlooker_client, order):
    response, _ = fire(onlooker_client, order, "cancel")

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.state == "created"


def test_cancel_order_without_a_checkout_cancels_it(clerk_client, order):
    url = reverse("admin:orders_order_cancel", args=[order.pk])

    clerk_client.post(url)

    order.refresh_from_db()
    assert order.state == "cancelled"
    assert order_history(order=order)[-1].actor == "admin:clerk"


def test_a_final_state_offers_no_cancel(clerk_client, order_in):
    response = clerk_client.get(page(order_in("refunded")))

    assert not response.context["cancellable"]
    assert 'id="order-cancel"' not in response.content.decode()


def test_the_order_links_to_its_saga_run(onlooker_client, order):
    run = SagaRun.objects.create(operation_id=order.operation_id, saga="checkout")

    html = onlooker_client.get(page(order)).content.decode()

    url = reverse("admin:sagas_sagarun_change", args=[run.pk])
    assert f'<a href="{url}">run {run.pk} (Running)</a>' in html


def test_onlookers_see_the_lines_and_the_transition_history(onlooker_client, order_in):
    """Viewing an order is enough to see its lines and history (no extra perms)."""
    response = onlooker_client.get(page(order_in("paid")))

    inlines = {
        inline.opts.model._meta.model_name: inline
        for inline in response.context["inline_admin_formsets"]
    }
    assert set(inlines) == {"orderline"}
    assert [row.event for row in response.context["history"]] == ["create", "pay"]
    assert 'id="order-history"' in response.content.decode()


def test_the_page_reads_the_order_and_its_run_once_each(onlooker_client, order):
    """Django reads the order; the page's extras use it, and the run is read once."""
    with CaptureQueriesContext(connection) as ctx:
        response = onlooker_client.get(page(order))

    assert response.status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert len([sql for sql in reads if 'FROM "orders_order"' in sql]) == 1
    assert len([sql for sql in reads if 'FROM "sagas_sagarun"' in sql]) == 1
    assert response.content.decode().count("form-row field-created_at") == 1
