"""Send a notification at most once per operation and channel.

The row is claimed (committed) before the message is handed to the channel and
marked sent after. Three outcomes of a crash or a lost answer in between:
- the channel refused before sending: the row is ``failed`` and a later call
  claims it again and sends (a retry after a failure still sends once);
- the message left but we never heard back (timeout, crash): the row stays
  ``sending`` and is never sent again: a missing SMS is better than two;
- two calls at once: the unique (operation, channel) row lets one claim it.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from config.claims import row_claim
from faults.hooks import fault_after, fault_before
from notifications.channels import notification_channel
from notifications.exceptions import UnknownChannel
from notifications.models import Notification


def notification_send(
    *, operation_id: str, channel: str, recipient: str, subject: str, body: str
) -> Notification:
    """Send ``body`` to ``recipient`` through ``channel``, once per operation.

    A repeat returns the existing row without sending: ``sent``, or ``sending``
    when a previous attempt's outcome is unknown. Exceptions of the channel (and
    injected faults) propagate after the row is marked ``failed``.
    """
    if channel not in Notification.Channel.values:
        raise UnknownChannel(f"Unknown channel {channel!r}.")
    message = {"recipient": recipient, "subject": subject, "body": body}
    notification, claimed = _claim(operation_id, channel, message)
    if not claimed:
        return notification
    point = f"notifications.{channel}"
    try:
        fault_before(point, operation_id)
        notification_channel(channel).send(reference=operation_id, **message)
    except TimeoutError:
        # The channel may have delivered: the row stays "sending", never resent.
        raise
    except Exception as error:
        _status_set(notification, Notification.Status.FAILED, error=repr(error))
        raise
    # A timeout or crash injected here is a delivered message we never hear of.
    fault_after(point, operation_id)
    _status_set(notification, Notification.Status.SENT)
    return notification


def _claim(
    operation_id: str, channel: str, message: dict[str, str]
) -> tuple[Notification, bool]:
    """Return the operation's row for ``channel`` and whether this call owns it."""
    # The unique (operation, channel) row is the claim: one INSERT on the usual
    # path, and a second caller finds the row instead of sending again.
    notification, created = row_claim(
        Notification,
        lookup={"operation_id": operation_id, "channel": channel},
        values=message,
    )
    if created:
        return notification, True
    # Only a failed row may be claimed again, and only by one caller.
    reclaimed = Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.FAILED
    ).update(
        status=Notification.Status.SENDING,
        attempts=F("attempts") + 1,
        error="",
        updated_at=timezone.now(),
        **message,
    )
    notification.refresh_from_db()
    return notification, bool(reclaimed)


def _status_set(notification: Notification, status: str, error: str = "") -> None:
    changes = {"status": status, "error": error[:2000], "updated_at": timezone.now()}
    Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.SENDING
    ).update(**changes)
    for field, value in changes.items():
        setattr(notification, field, value)
