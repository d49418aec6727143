"""The outbox relay: claim due messages, hand them to consumers, record the outcome.

Delivery is at least once. A relay claims a batch by pushing each message's
``available_at`` forward by ``OUTBOX_CLAIM_SECONDS`` (a lease) in one short
transaction, then delivers outside it, so no lock is held during HTTP calls. If
the relay dies before recording the outcome, the lease runs out and another
relay delivers the message again; the inbox and the ``webhook-id`` header let
consumers drop the duplicate.

Order: messages of one aggregate are delivered in creation order. A message
waits while an earlier message of its aggregate is still pending, including one
that is waiting for a retry. A dead-lettered message no longer holds the others
back: it has left the sequence, and retrying it from the admin delivers it
after its successors. Consumers that care compare ``created_at``.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from observability.tracing import consumer_span
from outbox.backoff import retry_delay
from outbox.conf import outbox_setting
from outbox.handlers import handlers_run
from outbox.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from outbox.webhooks import deliveries_run

logger = logging.getLogger(__name__)

PENDING = OutboxMessage.Status.PENDING
OPEN = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)


def outbox_relay(
    *,
    batch_size: int = 100,
    now: datetime | None = None,
    time_budget: float | None = None,
) -> int:
    """Deliver due pending messages batch by batch; return how many were processed.

    ``now`` fixes the clock (tests); by default each batch reads it. Stops when
    nothing is due, or when a batch ends after ``time_budget`` seconds.
    """
    started = time.monotonic()
    processed = 0
    while True:
        batch_now = now or timezone.now()
        messages = messages_claim(batch_size=batch_size, now=batch_now)
        if not messages:
            return processed
        # Read once per batch: endpoints change rarely, messages are many.
        endpoints = list(WebhookEndpoint.objects.filter(active=True))
        for message in messages:
            message_process(message, now=batch_now, endpoints=endpoints)
        processed += len(messages)
        if time_budget is not None and time.monotonic() - started >= time_budget:
            return processed


def messages_due(*, now: datetime) -> QuerySet[OutboxMessage]:
    """Return pending messages that are due and first in line for their aggregate."""
    earlier_pending = OutboxMessage.objects.filter(
        aggregate_type=OuterRef("aggregate_type"),
        aggregate_id=OuterRef("aggregate_id"),
        id__lt=OuterRef("id"),
        status=PENDING,
    )
    return (
        OutboxMessage.objects.filter(status=PENDING, available_at__lte=now)
        .exclude(Exists(earlier_pending))
        .order_by("id")
    )


def messages_claim(*, batch_size: int, now: datetime) -> list[OutboxMessage]:
    """Lease up to ``batch_size`` due messages to this relay and return them."""
    lease_until = now + timedelta(seconds=int(outbox_setting("OUTBOX_CLAIM_SECONDS")))
    lease = {"available_at": lease_until, "attempts": F("attempts") + 1}
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: rows another relay is claiming right now are skipped,
            # not waited for, so parallel relays take disjoint batches.
            claimed = list(
                messages_due(now=now).select_for_update(skip_locked=True)[:batch_size]
            )
            OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(**lease)
        else:
            # SQLite has no row locks: each claim is a conditional update that
            # only one relay can win, because it moves the row out of "due".
            claimed = [
                m
                for m in messages_due(now=now)[:batch_size]
                if OutboxMessage.objects.filter(
                    pk=m.pk, status=PENDING, available_at__lte=now
                ).update(**lease)
            ]
    for message in claimed:
        message.available_at = lease_until
        message.attempts += 1
    return claimed


def message_process(
    message: OutboxMessage, *, now: datetime, endpoints: list[WebhookEndpoint]
) -> None:
    """Hand a claimed message to its handlers and endpoints, then record the outcome.

    Traced as the processing of ``message``, linked to the span that wrote it
    (a saga step's, a request's).
    """
    with consumer_span(
        f"outbox.relay {message.event_type}",
        link=message.trace_context,
        attributes={
            "messaging.system": "outbox",
            "messaging.message.id": str(message.message_id),
            "outbox.aggregate": f"{message.aggregate_type}:{message.aggregate_id}",
        },
    ):
        handler_errors = handlers_run(message)
        deliveries_run(message, now=now, endpoints=endpoints)
        message_settle(message, now=now, handler_errors=handler_errors)


def message_settle(
    message: OutboxMessage, *, now: datetime, handler_errors: list[str]
) -> str:
    """Record where ``message`` stands after an attempt; return its new status.

    Pending while a handler or an active endpoint's delivery can still be
    retried (due again at the earliest retry); otherwise dead if anything was
    dead-lettered, delivered if everything succeeded.
    """
    deliveries = list(message.deliveries.select_related("endpoint"))
    # A delivery to an endpoint switched off or unsubscribed since is no longer
    # attempted, so it must not hold the message back either.
    retry_at = [
        d.next_attempt_at
        for d in deliveries
        if d.status in OPEN
        and d.endpoint.active
        and d.endpoint.wants(message.event_type)
    ]
    dead = any(d.status == WebhookDelivery.Status.DEAD for d in deliveries)
    errors = handler_errors + [
        d.last_error
        for d in deliveries
        if d.status != WebhookDelivery.Status.DELIVERED and d.last_error
    ]
    if handler_errors:
        if message.attempts >= int(outbox_setting("OUTBOX_MAX_ATTEMPTS")):
            dead = True
        else:
            retry_at.append(now + retry_delay(message.attempts))
    changes: dict[str, object] = {"last_error": "\n".join(errors)}
    if retry_at:
        changes["available_at"] = min(retry_at)
    elif dead:
        changes["status"] = OutboxMessage.Status.DEAD
        logger.error("Outbox message %s dead-lettered", message.message_id)
    else:
        changes |= {"status": OutboxMessage.Status.DELIVERED, "delivered_at": now}
    OutboxMessage.objects.filter(pk=message.pk, status=PENDING).update(**changes)
    return changes.get("status", PENDING)
