"""Send a notification through its channel, with the fault points around it.

The service keeps no record of its own: who decides that a message goes out
keeps it. The checkout saga does, in its journal: each notify step is written
``started`` (in the commit of the step before the group) before its message
is handed over, so a resumed run finds it started, cannot tell whether it
left, and never sends it again (at most once); a channel that refused before
anything left is simply retried.
"""

from __future__ import annotations

from faults.hooks import fault_after, fault_before
from notifications.channels import CHANNELS, notification_channel
from notifications.exceptions import UnknownChannel
from observability.tracing import client_span


def notification_send(
    *,
    operation_id: str,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    idempotency_key: str = "",
) -> None:
    """Hand ``body`` to ``channel`` for ``recipient``.

    Exceptions of the channel (and injected faults) propagate: before the
    hand-over (``error``, ``transient``) nothing left; after it (``timeout``,
    ``crash``) the message went out and the caller never hears of it.
    ``idempotency_key``: the caller's key for this message; our channels take
    none, so it only names the hand-over on its trace span.
    """
    if channel not in CHANNELS:
        raise UnknownChannel(f"Unknown channel {channel!r}.")
    point = f"notifications.{channel}"
    with client_span(
        point, peer=f"{channel}-provider", idempotency_key=idempotency_key
    ):
        fault_before(point, operation_id)
        notification_channel(channel).send(
            recipient=recipient, subject=subject, body=body, reference=operation_id
        )
        # A timeout or crash injected here is a delivered message we never
        # hear of.
        fault_after(point, operation_id)
