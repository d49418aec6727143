"""notification_send(): a message handed to its channel, which delivers it."""

from __future__ import annotations

import smtplib

import pytest

from notifications import backends
from notifications.channels import EmailChannel
from notifications.exceptions import UnknownChannel
from notifications.models import SentMessage
from notifications.selectors import sent_messages_for
from notifications.services import notification_send
from tests.notifications.conftest import OP, RECIPIENTS

pytestmark = pytest.mark.django_db

CHANNELS = ["email", "sms", "push"]


def test_email_goes_through_the_configured_mail_backend(send, mailoutbox):
    send("email")
    (message,) = mailoutbox
    assert (message.to, message.subject) == (["ada@example.com"], "Your order shipped")
    assert message.extra_headers["X-Operation-Id"] == OP


@pytest.mark.parametrize("channel", ["sms", "push"])
def test_sms_and_push_go_through_their_backend(send, channel):
    send(channel)
    message = SentMessage.objects.get()
    assert (message.channel, message.recipient, message.reference) == (
        channel,
        RECIPIENTS[channel],
        OP,
    )


def test_each_call_hands_the_message_over_again(send, delivered):
    """At most once is the caller's to keep (the saga's journal), not the channel's."""
    send("sms")
    send("sms")
    assert delivered("sms") == 2


def test_each_channel_delivers_its_own_message(send, delivered):
    for channel in CHANNELS:
        send(channel)
    assert [delivered(channel) for channel in CHANNELS] == [1, 1, 1]
    assert sent_messages_for(operation_id=OP).count() == 2


def test_the_locmem_backend_keeps_messages_in_memory(send, settings):
    settings.SMS_BACKEND = "notifications.backends.LocmemBackend"
    backends.outbox.clear()
    send("sms")
    assert [(m["channel"], m["reference"]) for m in backends.outbox] == [("sms", OP)]
    assert not SentMessage.objects.exists()


def test_the_console_backend_writes_a_log_line(send, settings, caplog):
    settings.PUSH_BACKEND = "notifications.backends.ConsoleBackend"
    with caplog.at_level("INFO", logger="notifications"):
        send("push")
    assert "push to device-1: Your order shipped" in caplog.text
    assert not SentMessage.objects.exists()


def test_an_unknown_channel_is_refused(db, mailoutbox):
    with pytest.raises(UnknownChannel):
        notification_send(
            operation_id=OP, channel="pigeon", recipient="x", subject="", body="hi"
        )
    assert not SentMessage.objects.exists() and not mailoutbox


def test_a_channel_failure_propagates_and_nothing_is_sent(send, monkeypatch, delivered):
    def refuse(self, **message):
        raise smtplib.SMTPServerDisconnected("mail server gone")

    monkeypatch.setattr(EmailChannel, "send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send("email")
    assert delivered("email") == 0
