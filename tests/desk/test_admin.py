"""The desk's admin pages: forms, their one-time keys, and the permission on each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from desk.models import DeskAction
from notifications.models import SentMessage
from payments.selectors import refunds_for

pytestmark = pytest.mark.django_db(transaction=True)

REFUND = "desk_refund"
PAGES = [REFUND, "desk_external", "desk_resend"]
# Enough for any of the three forms to be valid.
DATA = {
    "key": "desk-refund:k",
    "how": "amount",
    "amount": "5.00",
    "reference": "ref-1",
    "channel": "sms",
    "reason": "Customer called",
}


def url(name: str, order) -> str:
    return reverse(f"admin:{name}", args=[order.pk])


def refunded(order) -> list[int]:
    return [r.amount_minor for r in refunds_for(operation_id=order.operation_id)]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_without_the_permission_a_desk_page_is_403_and_nothing_happens(
    onlooker_client, shipped, name, method
):
    sent = SentMessage.objects.count()
    response = getattr(onlooker_client, method)(url(name, shipped), DATA)
    assert response.status_code == 403
    assert refunded(shipped) == []
    assert not DeskAction.objects.exists()
    assert SentMessage.objects.count() == sent


def test_a_double_submitted_refund_form_makes_one_refund_and_one_action(
    agent_client, shipped
):
    form = agent_client.get(url(REFUND, shipped)).context["form"]
    data = {
        "key": form["key"].initial,
        "how": "lines",
        "qty_TEE-001": "1",
        "reason": "One shirt arrived torn",
    }

    first = agent_client.post(url(REFUND, shipped), data)
    again = agent_client.post(url(REFUND, shipped), data)

    assert first.status_code == again.status_code == 302
    assert refunded(shipped) == [2000]
    action = DeskAction.objects.get()
    assert (action.actor, action.amount_minor) == ("admin:agent", 2000)


def test_each_shown_form_carries_a_new_key(agent_client, shipped):
    keys = {
        agent_client.get(url(REFUND, shipped)).context["form"]["key"].initial
        for _ in range(2)
    }
    assert len(keys) == 2


def test_more_than_is_refundable_is_a_form_error_and_refunds_nothing(
    agent_client, shipped
):
    data = {**DATA, "amount": "52.51"}
    response = agent_client.post(url(REFUND, shipped), data)
    assert response.status_code == 200
    assert "At most 52.50 EUR can be refunded." in response.content.decode()
    assert refunded(shipped) == []
    assert not DeskAction.objects.exists()


def test_the_order_page_shows_the_desk_and_its_actions_on_the_timeline(
    agent_client, shipped
):
    agent_client.post(url("desk_external", shipped), DATA)
    page = agent_client.get(
        reverse("admin:orders_order_change", args=[shipped.pk])
    ).content.decode()
    assert 'id="desk-refund"' in page
    assert "47.50 EUR" in page  # still refundable
    assert 'data-kind="desk_external_refund"' in page
    assert "recorded a refund made outside (ref-1), 5.00 EUR" in page


def test_the_order_page_offers_no_desk_action_without_the_permission(
    onlooker_client, shipped
):
    page = onlooker_client.get(
        reverse("admin:orders_order_change", args=[shipped.pk])
    ).content.decode()
    assert 'id="desk-refund"' not in page
    assert "needs a customer service permission" in page
