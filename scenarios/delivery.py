"""The outbox: events committed with the order, relayed, signed, delivered twice.

A webhook receiver runs in this process on 127.0.0.1, verifies every
signature and keeps an inbox of the message ids it handled. A relay runs in a
forked worker; the receiver kills it (SIGKILL) the moment it has handled the
first message, before the relay can record the delivery. Once the relay's
claim runs out, the next relay delivers that message again, under the same
``webhook-id``, and the receiver's inbox drops the duplicate.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings
from django.db import connections
from django.utils import timezone

from orders.history import AGGREGATE
from outbox.models import InboxMessage, OutboxMessage, WebhookEndpoint
from outbox.relay import outbox_relay
from outbox.selectors import messages_for
from outbox.signing import SignatureError, secret_generate, verify
from scenarios.stage import Demo

CONSUMER = "webhook-receiver"


class Receiver:
    """A consumer's webhook endpoint: verify, then handle each message id once."""

    def __init__(self, demo: Demo, *, secret: str) -> None:
        self.demo, self.secret = demo, secret
        self.posts: list[str] = []
        self.duplicates = 0
        # The pid of the relay to kill after the first message it delivers.
        self.victim = multiprocessing.Value("i", 0)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    headers = {
                        name.lower(): value for name, value in self.headers.items()
                    }
                    status = receiver.handle(body, headers)
                finally:
                    connections.close_all()  # this request thread's connection
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """The timeline says what arrived."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/orders"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        """Verify and handle one delivery; return the HTTP status to answer."""
        try:
            verify(body, headers, self.secret)
        except SignatureError as refused:
            self.demo.emit("event", f"receiver: signature refused ({refused})")
            return 400
        message_id = headers["webhook-id"]
        event = json.loads(body)["event_type"]
        self.posts.append(message_id)
        _, new = InboxMessage.objects.get_or_create(
            consumer=CONSUMER, message_id=message_id
        )
        if not new:
            self.duplicates += 1
        what = "handled" if new else "a duplicate: dropped by the inbox"
        self.demo.emit(
            "event",
            f"receiver: {event} {message_id[:8]}, signature valid, {what}",
            message_id=message_id,
            duplicate=not new,
        )
        if self.victim.value:
            # Handled, and the relay has not heard the answer yet: kill it now.
            os.kill(self.victim.value, signal.SIGKILL)
            self.victim.value = 0
        return 200

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def outbox(demo: Demo) -> None:
    """Check out, then relay the order's events to a webhook, through a crash."""
    demo.shelves()
    alice = demo.buyer("alice")
    secret = secret_generate()
    with Receiver(demo, secret=secret) as receiver:
        WebhookEndpoint.objects.create(url=receiver.url, secret=secret)
        demo.note(f"a webhook endpoint at {receiver.url}, with a whsec_ secret")
        with demo.watching():
            result = demo.checkout(alice, key="outbox-1")
        order = demo.show_order(result.order)
        messages = list(
            messages_for(aggregate_type=AGGREGATE, aggregate_ids=[order.pk])
        )
        for message in messages:
            demo.emit(
                "event",
                f"outbox: {message.event_type} {str(message.message_id)[:8]} "
                f"{message.status}, committed with the move it records",
            )

        def relay_and_die() -> None:
            receiver.victim.value = os.getpid()
            outbox_relay()

        demo.note("a relay posts the first message; the receiver then kills it")
        exit_code = demo.in_worker(relay_and_die, name="relay-1")
        first = OutboxMessage.objects.get(pk=messages[0].pk)
        demo.note(
            f"{first.event_type} is still {first.status}: the dead relay never "
            "recorded its delivery"
        )
        claim = int(settings.OUTBOX_CLAIM_SECONDS)
        demo.note(f"{claim} s later, its claim has run out: the next relay runs")
        outbox_relay(now=timezone.now() + timedelta(seconds=claim + 1))

    statuses = list(
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list(
            "status", flat=True
        )
    )
    handled = InboxMessage.objects.filter(consumer=CONSUMER).count()
    demo.check("the relay was killed by SIGKILL", exit_code == -9, exit_code)
    demo.check(
        "every event delivered",
        set(statuses) == {"delivered"},
        ", ".join(statuses),
    )
    demo.check(
        "the first one twice, under the same webhook-id",
        receiver.posts.count(str(messages[0].message_id)) == 2,
        f"{len(receiver.posts)} posts for {len(messages)} events",
    )
    demo.check(
        "the inbox kept one effect per event",
        handled == len(messages) and receiver.duplicates == 1,
        f"{handled} handled, {receiver.duplicates} dropped",
    )
    demo.audit()
