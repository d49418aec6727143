"""Injected faults at notifications.email / sms / push, mode by mode."""

from __future__ import annotations

import signal

import pytest

from faults import hooks
from faults.exceptions import InjectedFault
from faults.services import fault_plan_clear
from notifications.models import Notification, SentMessage
from tests.faults.child_process import run_in_child
from tests.notifications.conftest import OP

CHANNELS = ["email", "sms", "push"]


@pytest.fixture(params=CHANNELS)
def channel(request) -> str:
    return request.param


@pytest.fixture
def plan(channel, plan_faults):
    return lambda mode: plan_faults(OP, {f"notifications.{channel}": mode})


def status() -> tuple[str, int]:
    notification = Notification.objects.get()
    return notification.status, notification.attempts


@pytest.mark.django_db
def test_error_fails_every_time_and_sends_nothing(send, delivered, channel, plan):
    plan("error")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            send(channel)
    assert delivered(channel) == 0
    assert status() == ("failed", 2)


@pytest.mark.django_db
def test_a_message_that_failed_is_sent_once_the_fault_is_gone(
    send, delivered, channel, plan
):
    plan("error")
    with pytest.raises(InjectedFault):
        send(channel)
    fault_plan_clear(operation_id=OP)
    send(channel)
    send(channel)
    assert delivered(channel) == 1
    assert status() == ("sent", 2)


@pytest.mark.django_db
def test_transient_fails_twice_then_sends_once(send, delivered, channel, plan):
    plan("transient:2")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            send(channel)
    send(channel)
    assert delivered(channel) == 1
    assert status() == ("sent", 3)


@pytest.mark.django_db
def test_timeout_delivers_and_never_sends_again(send, delivered, channel, plan):
    """At most once: a message whose answer was lost stays "sending" for good."""
    plan("timeout")
    with pytest.raises(TimeoutError):
        send(channel)
    assert send(channel).status == "sending"
    assert delivered(channel) == 1
    assert status() == ("sending", 1)


@pytest.mark.django_db
def test_latency_delays_the_message_which_then_goes_out(
    send, delivered, channel, plan, monkeypatch
):
    slept = []
    monkeypatch.setattr(hooks.time, "sleep", slept.append)
    plan("latency:20")
    send(channel)
    assert (delivered(channel), status(), slept) == (1, ("sent", 1), [0.02])


@pytest.mark.parametrize("channel", ["sms", "push"])
@pytest.mark.django_db(transaction=True)
def test_crash_after_delivery_kills_the_worker_and_the_message_is_not_resent(
    send, channel, plan
):
    plan("crash")
    assert run_in_child(lambda: send(channel)) == -signal.SIGKILL
    send(channel)
    assert SentMessage.objects.filter(channel=channel).count() == 1
    assert status() == ("sending", 1)
