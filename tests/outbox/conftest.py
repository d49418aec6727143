"""Outbox test fixtures: a fake clock, emitters, handlers, a webhook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from outbox import handlers
from outbox.models import OutboxMessage, WebhookEndpoint
from outbox.services import message_emit
from outbox.signing import secret_generate


@pytest.fixture(autouse=True)
def outbox_settings(settings):
    """Keep message_emit from queueing relay tasks, and use small, known limits."""
    settings.OUTBOX_RELAY_ON_COMMIT = False
    settings.OUTBOX_MAX_ATTEMPTS = 4
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 2
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 600
    settings.OUTBOX_CLAIM_SECONDS = 120
    settings.OUTBOX_WEBHOOK_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture(autouse=True)
def handler_registry(monkeypatch) -> dict:
    """Give each test an empty handler registry: other apps' handlers stay out."""
    registry: dict = {}
    monkeypatch.setattr(handlers, "_registry", registry)
    return registry


class Clock:
    """A fake clock for the relay's ``now``: time passes only when a test says so."""

    def __init__(self) -> None:
        # A minute ahead of the real clock, so messages created during the test
        # (stamped with the real time) are already due.
        self.now = timezone.now() + timedelta(minutes=1)

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward and return the new time."""
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emit() -> Callable[..., OutboxMessage]:
    """Return a function that commits one outbox message, as a service would."""

    def emit(
        event_type: str = "order.paid", aggregate_id: str = "1", **payload
    ) -> OutboxMessage:
        with transaction.atomic():
            return message_emit(
                event_type=event_type,
                aggregate_type="order",
                aggregate_id=aggregate_id,
                payload=payload,
            )

    return emit


@dataclass
class Recorder:
    """An in-process consumer that records what it handled and fails on demand."""

    handled: list[tuple[str, int]] = field(default_factory=list)
    failing: set[int] = field(default_factory=set)  # message pks that raise

    def __call__(self, message: OutboxMessage) -> None:
        if message.pk in self.failing:
            raise RuntimeError(f"consumer cannot take message {message.pk}")
        self.handled.append((message.aggregate_id, message.pk))


@pytest.fixture
def recorder() -> Recorder:
    """Register a Recorder for every event type, as consumer "recorder"."""
    consumer = Recorder()
    handlers.register_handler("*", consumer, "recorder")
    return consumer


def receipts_count() -> int:
    """Return how many receipts the ``receipts`` handler has written."""
    return OutboxMessage.objects.filter(event_type="receipt.sent").count()


@pytest.fixture
def receipts() -> Callable[[], int]:
    """Register a consumer whose effect is a database row: a receipt event.

    The row is written in the handler's transaction, like any real effect, so
    it commits or rolls back together with the inbox row.
    """

    def send_receipt(message: OutboxMessage) -> None:
        message_emit(
            event_type="receipt.sent",
            aggregate_type="receipt",
            aggregate_id=message.aggregate_id,
            payload={"for": str(message.message_id)},
        )

    handlers.register_handler("order.paid", send_receipt, "receipts")
    return receipts_count


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that verifies signatures like a real one.

    It verifies with the ``standardwebhooks`` package, the specification's
    reference library, not with our own code: every delivery test checks that
    a consumer who never saw this project accepts our deliveries.
    """

    secret: str = field(default_factory=secret_generate)
    status: int = 200  # answered to correctly signed requests
    requests: list[dict] = field(default_factory=list)
    url: str = ""

    def record(self, headers, body: bytes) -> int:
        """Store one request; return the status to answer with."""
        try:
            Webhook(self.secret).verify(body, dict(headers.items()))
            reason = ""
        except WebhookVerificationError as exc:
            reason = str(exc)
        self.requests.append(
            {
                "webhook_id": headers.get("webhook-id"),
                "traceparent": headers.get("traceparent"),
                "signature_error": reason,
                "document": json.loads(body),
            }
        )
        return 401 if reason else self.status


@pytest.fixture
def make_receiver() -> Iterator[Callable[[], Receiver]]:
    """Return a function that serves a new Receiver on an ephemeral port."""
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def make() -> Receiver:
        state = Receiver()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(state.record(self.headers, body))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        state.url = f"http://127.0.0.1:{server.server_port}/hooks"
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        servers.append((server, thread))
        return state

    yield make
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def receiver(make_receiver) -> Receiver:
    """A webhook receiver served over real HTTP for one test."""
    return make_receiver()


@pytest.fixture
def endpoint(receiver: Receiver) -> WebhookEndpoint:
    """An active endpoint for every event type, pointing at the receiver."""
    return WebhookEndpoint.objects.create(url=receiver.url, secret=receiver.secret)
