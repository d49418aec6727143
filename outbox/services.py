"""Write outbox messages (inside the change's transaction) and retry dead ones."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from observability.tracing import context_carrier
from outbox.conf import outbox_setting
from outbox.models import OutboxMessage, WebhookDelivery

logger = logging.getLogger(__name__)

RELAY_TASK = "outbox.tasks.relay_outbox"


def message_emit(
    *,
    event_type: str,
    aggregate_type: str,
    aggregate_id: str,
    payload: dict[str, Any],
    using: str = "default",
) -> OutboxMessage:
    """Store an event to publish once the surrounding transaction commits.

    Must run inside ``transaction.atomic``: an outbox message outside the
    transaction of its change would defeat the pattern. With
    ``OUTBOX_RELAY_ON_COMMIT`` a relay task is queued when the transaction
    commits, so the message leaves within moments rather than at the next
    scheduled relay. The current trace context is stored with it, in the same
    INSERT, so that its relay can link to the span that wrote it.
    """
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("message_emit() must run inside transaction.atomic().")
    message = OutboxMessage.objects.using(using).create(
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        payload=payload,
        trace_context=context_carrier(),
    )
    if outbox_setting("OUTBOX_RELAY_ON_COMMIT"):
        _relay_on_commit(using)
    return message


def messages_emit(
    *, messages: list[dict[str, Any]], using: str = "default"
) -> list[OutboxMessage]:
    """Store several events at once (one INSERT), as ``message_emit`` stores one.

    Each item has the keyword arguments of ``message_emit``: ``event_type``,
    ``aggregate_type``, ``aggregate_id``, ``payload``.
    """
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("messages_emit() must run inside transaction.atomic().")
    if not messages:
        return []
    trace_context = context_carrier()
    rows = OutboxMessage.objects.using(using).bulk_create(
        OutboxMessage(
            event_type=item["event_type"],
            aggregate_type=item["aggregate_type"],
            aggregate_id=str(item["aggregate_id"]),
            payload=item["payload"],
            trace_context=trace_context,
        )
        for item in messages
    )
    if outbox_setting("OUTBOX_RELAY_ON_COMMIT"):
        _relay_on_commit(using)
    return rows


def _relay_on_commit(using: str) -> None:
    """Queue one relay task when the current transaction commits."""
    # One task per transaction, however many messages it emits. A savepoint
    # rollback drops the callbacks registered inside it, so looking for ours
    # among the pending ones is always right, unlike a flag that would survive
    # the rollback.
    pending = transaction.get_connection(using).run_on_commit
    if not any(func is _relay_enqueue for _, func, _ in pending):
        # robust: the commit has happened; a broker hiccup must not turn it into
        # an error for the caller. The minute schedule relays the message anyway.
        transaction.on_commit(_relay_enqueue, using=using, robust=True)


_last_enqueued = -math.inf
_enqueue_lock = threading.Lock()


def _relay_enqueue() -> None:
    """Queue the relay task on the django-q2 broker, unless one was just queued.

    A relay run takes every message that is due when it runs, so a trigger
    queued moments ago covers this commit too; the minute schedule is the safety
    net for a message that commits just after such a run.
    """
    from django_q.tasks import async_task  # django_q needs the app registry ready

    global _last_enqueued
    with _enqueue_lock:
        now = time.monotonic()
        if now - _last_enqueued < outbox_setting("OUTBOX_RELAY_TRIGGER_SECONDS"):
            return
        _last_enqueued = now
    async_task(RELAY_TASK)


def webhook_delivery_retry(*, delivery_ids: Iterable[int], actor: Any) -> int:
    """Give failed or dead deliveries one more attempt now; return how many.

    Attempts are kept, so a delivery that fails again is dead-lettered again at
    once instead of starting a new series of retries. Its message goes back to
    pending so the relay picks it up.
    """
    now = timezone.now()
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.select_for_update().filter(
            pk__in=list(delivery_ids),
            status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.DEAD],
        )
        message_ids = set(deliveries.values_list("message_id", flat=True))
        count = deliveries.update(
            status=WebhookDelivery.Status.PENDING, next_attempt_at=now
        )
        OutboxMessage.objects.filter(pk__in=message_ids).update(
            status=OutboxMessage.Status.PENDING, available_at=now, delivered_at=None
        )
    logger.info("%s retried %s webhook deliveries", actor, count)
    return count


def message_retry(*, message_ids: Iterable[int], actor: Any) -> int:
    """Give dead-lettered messages, and their dead deliveries, one more attempt now."""
    now = timezone.now()
    with transaction.atomic():
        messages = OutboxMessage.objects.select_for_update().filter(
            pk__in=list(message_ids), status=OutboxMessage.Status.DEAD
        )
        ids = list(messages.values_list("pk", flat=True))
        WebhookDelivery.objects.filter(
            message_id__in=ids, status=WebhookDelivery.Status.DEAD
        ).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=now)
        count = OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxMessage.Status.PENDING, available_at=now
        )
    logger.info("%s retried %s outbox messages", actor, count)
    return count
