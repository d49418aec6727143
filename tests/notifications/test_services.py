"""notification_send(): each message goes out at most once per operation and channel."""

from __future__ import annotations

import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection

from notifications.channels import EmailChannel
from notifications.exceptions import UnknownChannel
from notifications.models import Notification, SentMessage
from notifications.selectors import notifications_for, sent_messages_for
from notifications.services import notification_send
from tests.notifications.conftest import OP, RECIPIENTS

pytestmark = pytest.mark.django_db

CHANNELS = ["email", "sms", "push"]


def test_email_goes_through_the_configured_mail_backend(send, mailoutbox):
    notification = send("email")
    (message,) = mailoutbox
    assert (message.to, message.subject) == (["ada@example.com"], "Your order shipped")
    assert message.extra_headers["X-Operation-Id"] == OP
    assert notification.status == "sent"


@pytest.mark.parametrize("channel", ["sms", "push"])
def test_sms_and_push_are_recorded_by_their_simulated_channel(send, channel):
    notification = send(channel)
    message = SentMessage.objects.get()
    assert (message.channel, message.recipient, message.reference) == (
        channel,
        RECIPIENTS[channel],
        OP,
    )
    assert (notification.status, notification.attempts) == ("sent", 1)


@pytest.mark.parametrize("channel", CHANNELS)
def test_sending_again_returns_the_sent_row_without_sending(send, delivered, channel):
    first = send(channel)
    again = send(channel)
    assert again.pk == first.pk
    assert delivered(channel) == 1


def test_each_channel_of_an_operation_sends_its_own_message(send, delivered):
    for channel in CHANNELS:
        send(channel)
    assert [n.channel for n in notifications_for(operation_id=OP)] == sorted(CHANNELS)
    assert [delivered(channel) for channel in CHANNELS] == [1, 1, 1]
    assert sent_messages_for(operation_id=OP).count() == 2


def test_an_unknown_channel_is_refused(db):
    with pytest.raises(UnknownChannel):
        notification_send(
            operation_id=OP, channel="pigeon", recipient="x", subject="", body="hi"
        )
    assert not Notification.objects.exists()


def test_a_channel_failure_marks_the_row_failed(send, monkeypatch):
    def refuse(self, **message):
        raise smtplib.SMTPServerDisconnected("mail server gone")

    monkeypatch.setattr(EmailChannel, "send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send("email")
    notification = Notification.objects.get()
    assert notification.status == "failed"
    assert "mail server gone" in notification.error


def test_a_failed_message_is_sent_once_by_the_next_attempt(send, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(EmailChannel, "send", lambda self, **m: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            send("email")
    send("email")
    send("email")
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts, notification.error) == (
        "sent",
        2,
        "",
    )
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_message_sent_at_once_by_many_workers_goes_out_once(send):
    barrier = threading.Barrier(8)

    def attempt(n: int) -> str:
        try:
            barrier.wait(timeout=30)
            return send("sms").status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(attempt, range(8), timeout=120))
    assert SentMessage.objects.count() == 1
    assert Notification.objects.get().status == "sent"
