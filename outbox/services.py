"""Write outbox messages; call inside the transaction of the change they describe."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from outbox.models import OutboxMessage


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
    transaction of its change would defeat the pattern.
    """
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("message_emit() must run inside transaction.atomic().")
    return OutboxMessage.objects.using(using).create(
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        payload=payload,
    )
