"""Webhook deliveries over real HTTP: signed, retried with backoff, dead-lettered."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from outbox import webhooks
from outbox.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from outbox.relay import outbox_relay
from outbox.signals import webhook_delivered
from outbox.signing import secret_generate

pytestmark = pytest.mark.django_db


def test_a_delivery_to_a_live_endpoint_is_signed_and_recorded(
    emit, endpoint, receiver, clock
):
    message = emit()
    outbox_relay(now=clock.now)

    [request] = receiver.requests
    assert request["signature_error"] == ""
    assert request["webhook_id"] == str(message.message_id)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "delivered",
        1,
        200,
    )
    assert delivery.delivered_at == clock.now
    assert OutboxMessage.objects.get().status == "delivered"


def test_the_body_describes_the_message(emit, endpoint, receiver, clock):
    message = emit(aggregate_id="42", total="19.90")
    outbox_relay(now=clock.now)
    assert receiver.requests[0]["document"] == {
        "message_id": str(message.message_id),
        "event_type": "order.paid",
        "aggregate_type": "order",
        "aggregate_id": "42",
        "payload": {"total": "19.90"},
        "created_at": message.created_at.isoformat(),
    }


def test_while_a_secret_rotates_a_receiver_with_the_old_one_still_accepts(
    emit, receiver, clock
):
    WebhookEndpoint.objects.create(
        url=receiver.url, secret=secret_generate(), previous_secret=receiver.secret
    )
    emit()
    outbox_relay(now=clock.now)
    assert receiver.requests[0]["signature_error"] == ""
    assert WebhookDelivery.objects.get().status == "delivered"


def test_a_receiver_with_another_secret_refuses_and_the_delivery_fails(
    emit, receiver, clock
):
    WebhookEndpoint.objects.create(url=receiver.url, secret=secret_generate())
    emit()
    outbox_relay(now=clock.now)
    assert receiver.requests[0]["signature_error"] == "No matching signature found"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        "failed",
        401,
        "HTTP 401",
    )


def test_a_failing_endpoint_is_retried_with_growing_capped_backoff(
    emit, endpoint, receiver, clock, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 6
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 10
    receiver.status = 500
    message = emit()
    delays = []
    for _ in range(5):
        outbox_relay(now=clock.now)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "failed"
        delays.append((delivery.next_attempt_at - clock.now).total_seconds())
        clock.now = delivery.next_attempt_at

    outbox_relay(now=clock.now)

    # Raw delays 2, 4, 8, then the 10 s cap; jitter removes at most 20 %.
    for delay, raw in zip(delays, [2, 4, 8, 10, 10], strict=True):
        assert raw * 0.8 <= delay <= raw
    assert delays[0] < delays[1] < delays[2]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "dead",
        6,
        500,
    )
    assert OutboxMessage.objects.get().status == "dead"
    assert [r["webhook_id"] for r in receiver.requests] == [str(message.message_id)] * 6


def test_a_failed_delivery_is_not_retried_before_its_time(
    emit, endpoint, receiver, clock
):
    receiver.status = 503
    emit()
    outbox_relay(now=clock.now)
    delivery = WebhookDelivery.objects.get()
    outbox_relay(now=delivery.next_attempt_at - timedelta(milliseconds=1))
    assert len(receiver.requests) == 1


def test_a_healthy_endpoint_is_not_posted_again_while_another_is_retried(
    emit, make_receiver, clock
):
    healthy, broken = make_receiver(), make_receiver()
    broken.status = 500
    for receiver in (healthy, broken):
        WebhookEndpoint.objects.create(url=receiver.url, secret=receiver.secret)
    emit()
    outbox_relay(now=clock.now)
    outbox_relay(now=clock.advance(60))
    assert (len(healthy.requests), len(broken.requests)) == (1, 2)
    assert OutboxMessage.objects.get().status == "pending"


def test_an_endpoint_gets_only_the_event_types_it_subscribes_to(emit, receiver, clock):
    WebhookEndpoint.objects.create(
        url=receiver.url, secret=receiver.secret, event_types=["order.shipped"]
    )
    emit("order.paid")
    emit("order.shipped")
    outbox_relay(now=clock.now)
    assert [r["document"]["event_type"] for r in receiver.requests] == ["order.shipped"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}


def test_an_endpoint_that_unsubscribes_no_longer_holds_the_message_back(
    emit, endpoint, receiver, clock
):
    receiver.status = 500
    emit("order.paid")
    outbox_relay(now=clock.now)
    WebhookEndpoint.objects.update(event_types=["order.shipped"])

    outbox_relay(now=clock.advance(60))

    assert len(receiver.requests) == 1
    assert OutboxMessage.objects.get().status == "delivered"


def test_an_inactive_endpoint_gets_nothing(emit, receiver, clock):
    WebhookEndpoint.objects.create(url=receiver.url, active=False)
    emit()
    outbox_relay(now=clock.now)
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()
    assert OutboxMessage.objects.get().status == "delivered"


def closed_port() -> int:
    """Return a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_endpoint_fails_with_the_network_error(emit, clock):
    WebhookEndpoint.objects.create(url=f"http://127.0.0.1:{closed_port()}/hooks")
    emit()
    outbox_relay(now=clock.now)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("failed", None)
    assert "refused" in delivery.last_error.lower()


def test_a_redirect_is_a_failure_not_followed(emit, endpoint, receiver, clock):
    receiver.status = 302
    emit()
    outbox_relay(now=clock.now)
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("failed", 302)


def test_a_crash_after_posting_and_before_recording_posts_the_same_id_again(
    emit, endpoint, receiver, clock, monkeypatch
):
    """At least once: the receiver sees the message twice and can drop one by id."""

    def die(*args, **kwargs):
        raise SystemExit("relay killed")

    message = emit()
    monkeypatch.setattr(webhooks, "delivery_record", die)
    with pytest.raises(SystemExit):
        outbox_relay(now=clock.now)
    monkeypatch.undo()

    outbox_relay(now=clock.advance(120))

    assert [r["webhook_id"] for r in receiver.requests] == [str(message.message_id)] * 2
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_every_attempt_announces_its_outcome(emit, endpoint, receiver, clock):
    outcomes: list[str] = []

    def listen(sender, outcome, delivery, **kwargs) -> None:
        outcomes.append(outcome)

    webhook_delivered.connect(listen)
    try:
        receiver.status = 500
        emit()
        outbox_relay(now=clock.now)
        receiver.status = 200
        outbox_relay(now=clock.advance(60))
    finally:
        webhook_delivered.disconnect(listen)
    assert outcomes == ["failed", "delivered"]


def test_an_unusable_url_fails_the_delivery_without_stopping_the_relay(
    emit, recorder, clock
):
    WebhookEndpoint.objects.create(url="http://[::1/hooks")  # ValueError
    emit()
    outbox_relay(now=clock.now)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("failed", None)
    assert len(recorder.handled) == 1
