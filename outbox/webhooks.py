"""Webhook deliveries: build the signed request, post it, record the outcome.

Signed as Standard Webhooks says (outbox.signing): webhook-id, webhook-timestamp
and webhook-signature headers over the JSON body. When tracing is on, each post
is a client span linked to the message's trace, and sends its context in
``traceparent``, so a receiver that traces too continues it.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime

from django.db.models import F

from observability.tracing import client_span, context_carrier
from outbox.backoff import retry_delay
from outbox.conf import outbox_setting
from outbox.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from outbox.signals import webhook_delivered
from outbox.signing import sign

logger = logging.getLogger(__name__)

ERROR_LIMIT = 1000  # characters of an error kept on the delivery


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Treat a redirect as a failure: following it would re-send the body as GET."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def webhook_body(message: OutboxMessage) -> bytes:
    """Return the JSON body posted for ``message``."""
    document = {
        "message_id": str(message.message_id),
        "event_type": message.event_type,
        "aggregate_type": message.aggregate_type,
        "aggregate_id": message.aggregate_id,
        "payload": message.payload,
        "created_at": message.created_at.isoformat(),
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def webhook_post(endpoint: WebhookEndpoint, message: OutboxMessage) -> int:
    """Post ``message`` to ``endpoint``, signed; return the HTTP status code.

    Network errors and timeouts raise OSError. The signature carries the real
    clock, whatever time the relay was asked to act at: receivers compare it
    with theirs.
    """
    body = webhook_body(message)
    with client_span(
        "webhook POST",
        peer="webhook-endpoint",
        link=message.trace_context,
        **{"url.full": endpoint.url, "messaging.message.id": str(message.message_id)},
    ):
        request = urllib.request.Request(
            endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "order-service-outbox/1",
                **context_carrier(),
                # webhook-id is the message id, the same on every attempt:
                # receivers drop duplicates by it, since delivery is at least once.
                **sign(
                    msg_id=str(message.message_id),
                    body=body,
                    secrets=endpoint.signing_secrets(),
                    timestamp=int(time.time()),
                ),
            },
        )
        timeout = float(outbox_setting("OUTBOX_WEBHOOK_TIMEOUT_SECONDS"))
        try:
            with _opener.open(request, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            return exc.code


def deliveries_run(
    message: OutboxMessage, *, now: datetime, endpoints: list[WebhookEndpoint]
) -> None:
    """Attempt every due delivery of ``message`` to the active ``endpoints``."""
    subscribed = [e for e in endpoints if e.active and e.wants(message.event_type)]
    # Deliveries are created on the first attempt, one per subscribed endpoint;
    # an endpoint added while the message is still pending gets it too.
    if subscribed:
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(message=message, endpoint=e, next_attempt_at=now)
                for e in subscribed
            ],
            ignore_conflicts=True,
        )
    due = WebhookDelivery.objects.filter(
        message=message,
        endpoint__in=subscribed,
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED],
        next_attempt_at__lte=now,
    ).select_related("endpoint")
    for delivery in due:
        delivery_attempt(delivery, message=message, now=now)


def delivery_attempt(
    delivery: WebhookDelivery, *, message: OutboxMessage, now: datetime
) -> str:
    """Post one delivery and record its outcome; return the new status."""
    # A failure of any kind is recorded, not raised: refused, reset, timed out
    # or unknown host (OSError), a garbled response (HTTPException), a URL
    # urllib cannot use (ValueError).
    try:
        status_code: int | None = webhook_post(delivery.endpoint, message)
        error = "" if 200 <= status_code < 300 else f"HTTP {status_code}"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        status_code, error = None, f"{type(exc).__name__}: {exc}"
    return delivery_record(delivery, status_code=status_code, error=error, now=now)


def delivery_record(
    delivery: WebhookDelivery, *, status_code: int | None, error: str, now: datetime
) -> str:
    """Store the outcome of one attempt and announce it; return the new status."""
    attempts = delivery.attempts + 1
    changes = {
        "attempts": F("attempts") + 1,
        "last_status_code": status_code,
        "last_error": error[:ERROR_LIMIT],
    }
    if not error:
        changes |= {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": now}
    elif attempts >= int(outbox_setting("OUTBOX_MAX_ATTEMPTS")):
        changes["status"] = WebhookDelivery.Status.DEAD
        logger.error(
            "Webhook delivery %s to %s dead after %s attempts: %s",
            delivery.pk,
            delivery.endpoint.url,
            attempts,
            error,
        )
    else:
        changes |= {
            "status": WebhookDelivery.Status.FAILED,
            "next_attempt_at": now + retry_delay(attempts),
        }
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
    delivery.refresh_from_db()
    webhook_delivered.send(
        sender=WebhookDelivery, outcome=delivery.status, delivery=delivery
    )
    return delivery.status
