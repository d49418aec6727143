"""In-process consumers of outbox messages, each made idempotent by the inbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from outbox.models import InboxMessage, OutboxMessage

logger = logging.getLogger(__name__)

ALL_EVENTS = "*"

Handler = Callable[[OutboxMessage], None]


@dataclass(frozen=True)
class Registration:
    """A handler, the event type it consumes and its inbox name."""

    event_type: str
    handler: Handler
    name: str


_registry: dict[str, Registration] = {}


def register_handler(event_type: str, handler: Handler, name: str) -> None:
    """Call ``handler(message)`` for every message of ``event_type`` ("*": all).

    ``name`` identifies the consumer in the inbox: keep it stable across
    releases, or already handled messages would be handled again. Registering
    a name again replaces the handler (modules may be imported twice).
    """
    _registry[name] = Registration(event_type, handler, name)


def unregister_handler(name: str) -> None:
    """Remove the handler registered as ``name``, if any."""
    _registry.pop(name, None)


def handlers_for(event_type: str) -> list[Registration]:
    """Return the registrations that consume ``event_type``, by name."""
    wanted = {event_type, ALL_EVENTS}
    return sorted(
        (r for r in _registry.values() if r.event_type in wanted),
        key=lambda r: r.name,
    )


def handlers_run(message: OutboxMessage) -> list[str]:
    """Run every handler of ``message`` once; return the errors of those that failed.

    The inbox row is inserted first and in the handler's transaction: a handler
    that fails rolls its row back and runs again next time, and a handler that
    already succeeded (even in a relay that died before recording it) is skipped.
    On PostgreSQL a second relay handling the same message at the same moment
    waits on the first one's inbox row, then sees it and skips.
    """
    errors = []
    for registration in handlers_for(message.event_type):
        try:
            with transaction.atomic():
                _, created = InboxMessage.objects.get_or_create(
                    consumer=registration.name, message_id=message.message_id
                )
                if created:
                    registration.handler(message)
        except Exception as exc:  # any handler bug must not stop the relay
            logger.exception(
                "Outbox handler %s failed on message %s",
                registration.name,
                message.message_id,
            )
            errors.append(f"{registration.name}: {exc!r}")
    return errors
