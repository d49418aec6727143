"""The outbox admin: read-only lists, and "Retry now" for dead-lettered work."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from outbox.models import OutboxMessage, WebhookDelivery
from outbox.relay import outbox_relay

pytestmark = pytest.mark.django_db

DELIVERIES = reverse("admin:outbox_webhookdelivery_changelist")
MESSAGES = reverse("admin:outbox_outboxmessage_changelist")


@pytest.fixture
def dead_delivery(emit, endpoint, receiver, clock) -> WebhookDelivery:
    """A delivery dead-lettered after OUTBOX_MAX_ATTEMPTS (4) answers of 500."""
    receiver.status = 500
    emit()
    for _ in range(4):
        outbox_relay(now=clock.advance(600))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("dead", 4)
    assert delivery.message.status == "dead"
    return delivery


def retry_now(client, url: str, *pks: int):
    """Submit the changelist's "Retry now" action for ``pks``."""
    action = "deliveries_retry" if url == DELIVERIES else "messages_retry"
    return client.post(url, {"action": action, "_selected_action": pks, "index": 0})


def test_retry_now_puts_a_dead_delivery_and_its_message_back_to_pending(
    admin_client, dead_delivery
):
    response = retry_now(admin_client, DELIVERIES, dead_delivery.pk)
    assert response.status_code == 302
    dead_delivery.refresh_from_db()
    assert (dead_delivery.status, dead_delivery.attempts) == ("pending", 4)
    assert dead_delivery.message.status == "pending"


def test_a_dead_delivery_retried_from_the_admin_is_delivered(
    admin_client, dead_delivery, receiver, clock
):
    receiver.status = 200
    retry_now(admin_client, DELIVERIES, dead_delivery.pk)

    outbox_relay(now=clock.advance(1))

    dead_delivery.refresh_from_db()
    assert (dead_delivery.status, dead_delivery.attempts) == ("delivered", 5)
    assert OutboxMessage.objects.get().status == "delivered"
    assert len(receiver.requests) == 5


def test_a_retried_delivery_that_fails_again_is_dead_again_at_once(
    admin_client, dead_delivery, clock
):
    retry_now(admin_client, DELIVERIES, dead_delivery.pk)
    outbox_relay(now=clock.advance(1))
    dead_delivery.refresh_from_db()
    assert (dead_delivery.status, dead_delivery.attempts) == ("dead", 5)


def test_staff_without_the_change_permission_cannot_retry(client, dead_delivery):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    client.force_login(viewer)
    assert client.get(DELIVERIES).status_code == 200
    retry_now(client, DELIVERIES, dead_delivery.pk)
    dead_delivery.refresh_from_db()
    assert dead_delivery.status == "dead"


def test_a_message_dead_in_a_handler_is_retried_from_the_admin(
    admin_client, emit, recorder, clock
):
    message = emit()
    recorder.failing.add(message.pk)
    for _ in range(4):
        outbox_relay(now=clock.advance(600))
    recorder.failing.clear()

    retry_now(admin_client, MESSAGES, message.pk)
    outbox_relay(now=clock.advance(1))

    message.refresh_from_db()
    assert message.status == "delivered"
    assert recorder.handled == [("1", message.pk)]


@pytest.mark.parametrize(
    "url",
    [
        MESSAGES + "?status__exact=dead",
        DELIVERIES + "?status__exact=dead",
        reverse("admin:outbox_webhookendpoint_changelist"),
        reverse("admin:outbox_webhookendpoint_add"),
    ],
)
def test_the_admin_pages_render(admin_client, dead_delivery, url):
    assert admin_client.get(url).status_code == 200


def test_outbox_messages_cannot_be_edited_in_the_admin(admin_client, dead_delivery):
    url = reverse("admin:outbox_outboxmessage_change", args=[dead_delivery.message_id])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
