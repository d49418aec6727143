"""Outbox services: emit in the change's transaction, relay after commit, retry."""

from __future__ import annotations

import math

import django_q.tasks
import pytest
from django.db import transaction
from django_q.conf import Conf
from django_q.models import OrmQ

import outbox.services
from outbox.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from outbox.services import message_emit, message_retry, webhook_delivery_retry

pytestmark = pytest.mark.django_db(transaction=True)


def test_message_emit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        message_emit(
            event_type="x.happened", aggregate_type="x", aggregate_id="1", payload={}
        )
    assert OutboxMessage.objects.count() == 0


def test_message_emit_rolls_back_with_its_transaction():
    with pytest.raises(ValueError), transaction.atomic():
        message_emit(
            event_type="x.happened", aggregate_type="x", aggregate_id="1", payload={}
        )
        raise ValueError("the change failed")
    assert OutboxMessage.objects.count() == 0


def test_message_emit_commits_with_its_transaction():
    with transaction.atomic():
        message = message_emit(
            event_type="x.happened",
            aggregate_type="x",
            aggregate_id="7",
            payload={"a": 1},
        )
    stored = OutboxMessage.objects.get()
    assert stored.message_id == message.message_id
    assert (stored.aggregate_id, stored.payload, stored.status) == (
        "7",
        {"a": 1},
        "pending",
    )


@pytest.fixture
def queued(monkeypatch, settings) -> list[str]:
    """Turn the after-commit relay on and record the tasks it queues."""
    settings.OUTBOX_RELAY_ON_COMMIT = True
    settings.OUTBOX_RELAY_TRIGGER_SECONDS = 0
    monkeypatch.setattr(outbox.services, "_last_enqueued", -math.inf)
    calls: list[str] = []
    monkeypatch.setattr(
        django_q.tasks, "async_task", lambda func, **kw: calls.append(func)
    )
    return calls


def emit_one(n: int = 1) -> None:
    message_emit(
        event_type="x.happened", aggregate_type="x", aggregate_id=n, payload={}
    )


def test_a_commit_queues_one_relay_task_however_many_messages_it_holds(queued):
    with transaction.atomic():
        emit_one(1)
        emit_one(2)
        with transaction.atomic():
            emit_one(3)
        assert queued == []  # nothing before the commit
    assert queued == ["outbox.tasks.relay_outbox"]


def test_each_transaction_queues_its_own_relay_task(queued):
    for n in range(2):
        with transaction.atomic():
            emit_one(n)
    assert queued == ["outbox.tasks.relay_outbox"] * 2


def test_commits_within_the_trigger_interval_queue_one_relay_task(queued, settings):
    """A burst of commits (one checkout's transitions) shares one relay run."""
    settings.OUTBOX_RELAY_TRIGGER_SECONDS = 60
    for n in range(3):
        with transaction.atomic():
            emit_one(n)
    assert queued == ["outbox.tasks.relay_outbox"]


def test_a_rolled_back_transaction_queues_nothing_and_blocks_nothing(queued):
    with pytest.raises(ValueError), transaction.atomic():
        emit_one()
        raise ValueError("the change failed")
    assert queued == []
    with transaction.atomic():
        emit_one()
    assert len(queued) == 1


def test_a_message_in_a_rolled_back_savepoint_does_not_cancel_the_relay(queued):
    with transaction.atomic():
        with pytest.raises(ValueError), transaction.atomic():
            emit_one(1)
            raise ValueError("this part failed")
        emit_one(2)
    assert len(queued) == 1


def test_the_after_commit_relay_can_be_switched_off(queued, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    with transaction.atomic():
        emit_one()
    assert queued == []


def test_a_broker_failure_after_commit_does_not_fail_the_caller(monkeypatch, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = True

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(django_q.tasks, "async_task", broker_down)
    with transaction.atomic():
        emit_one()
    assert OutboxMessage.objects.count() == 1


@pytest.mark.skipif(not Conf.ORM, reason="the ORM broker is not in use")
def test_with_the_orm_broker_a_commit_leaves_one_queued_task(settings, monkeypatch):
    settings.OUTBOX_RELAY_ON_COMMIT = True
    monkeypatch.setattr(outbox.services, "_last_enqueued", -math.inf)
    with transaction.atomic():
        emit_one(1)
        emit_one(2)
    [queued] = OrmQ.objects.all()
    assert queued.func() == "outbox.tasks.relay_outbox"


@pytest.fixture
def deliveries(emit) -> dict[str, WebhookDelivery]:
    """One delivery in each status, each for its own message."""
    endpoint = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hooks")
    rows = {}
    for status in ("pending", "delivered", "failed", "dead"):
        message = emit()
        message_status = {"delivered": "delivered", "dead": "dead"}.get(
            status, "pending"
        )
        OutboxMessage.objects.filter(pk=message.pk).update(status=message_status)
        rows[status] = WebhookDelivery.objects.create(
            message=message, endpoint=endpoint, status=status, attempts=3
        )
    return rows


def test_retrying_deliveries_resets_failed_and_dead_ones_keeping_attempts(deliveries):
    count = webhook_delivery_retry(
        delivery_ids=[d.pk for d in deliveries.values()], actor="tester"
    )
    assert count == 2
    after = {s: WebhookDelivery.objects.get(pk=d.pk) for s, d in deliveries.items()}
    assert {s: (d.status, d.attempts) for s, d in after.items()} == {
        "pending": ("pending", 3),
        "delivered": ("delivered", 3),
        "failed": ("pending", 3),
        "dead": ("pending", 3),
    }
    assert after["dead"].message.status == "pending"
    assert after["delivered"].message.status == "delivered"


def test_retrying_messages_resets_only_dead_ones(emit):
    dead, delivered = emit(), emit()
    OutboxMessage.objects.filter(pk=dead.pk).update(status="dead")
    OutboxMessage.objects.filter(pk=delivered.pk).update(status="delivered")
    assert message_retry(message_ids=[dead.pk, delivered.pk], actor="tester") == 1
    assert dict(OutboxMessage.objects.values_list("pk", "status")) == {
        dead.pk: "pending",
        delivered.pk: "delivered",
    }
