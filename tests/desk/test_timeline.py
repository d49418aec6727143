"""Desk actions join the order's timeline: on the customer's page, in time order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from desk.services import desk_refund_record_external
from desk.timeline import order_timeline
from sagas.api import run_for, run_timeline

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_desk_action_comes_after_the_checkout_it_followed(shipped):
    action = desk_refund_record_external(
        order=shipped, actor="admin:agent", amount_minor=500, reference="r", reason="x"
    )
    run = run_for(saga="checkout", operation_id=shipped.operation_id)
    events = order_timeline(run_events=run_timeline(run=run), actions=[action])

    assert events[-1].kind == "desk_external_refund"
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[-1].since_start == action.created_at - events[0].at
    assert events[-1].since_start > timedelta(0)


def test_the_customers_order_page_shows_what_customer_service_did(shipped, buyer):
    desk_refund_record_external(
        order=shipped,
        actor="admin:agent",
        amount_minor=500,
        reference="bank-77",
        reason="Goodwill for the delay",
    )
    shopper = Client()
    shopper.force_login(buyer)

    page = shopper.get(reverse("storefront:order", args=[shipped.pk])).content.decode()

    assert 'data-kind="desk_external_refund"' in page
    assert "5.00 EUR: Goodwill for the delay" in page
    assert "admin:agent" not in page  # the customer sees the desk, not who
