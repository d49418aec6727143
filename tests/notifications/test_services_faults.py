"""Injected faults at notifications.email / sms / push, mode by mode."""

from __future__ import annotations

import signal

import pytest

from faults import hooks
from faults.exceptions import InjectedFault, InjectedTimeout
from faults.services import fault_plan_clear
from tests.faults.child_process import run_in_child
from tests.notifications.conftest import OP

CHANNELS = ["email", "sms", "push"]


@pytest.fixture(params=CHANNELS)
def channel(request) -> str:
    return request.param


@pytest.fixture
def plan(channel, plan_faults):
    return lambda mode: plan_faults(OP, {f"notifications.{channel}": mode})


@pytest.mark.django_db
def test_error_fails_every_time_and_sends_nothing(send, delivered, channel, plan):
    plan("error")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            send(channel)
    assert delivered(channel) == 0


@pytest.mark.django_db
def test_a_message_is_sent_once_the_fault_is_gone(send, delivered, channel, plan):
    plan("error")
    with pytest.raises(InjectedFault):
        send(channel)
    fault_plan_clear(operation_id=OP)
    send(channel)
    assert delivered(channel) == 1


@pytest.mark.django_db
def test_transient_fails_twice_then_sends(send, delivered, channel, plan):
    plan("transient:2")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            send(channel)
    send(channel)
    assert delivered(channel) == 1


@pytest.mark.django_db
def test_timeout_delivers_but_the_caller_hears_a_timeout(
    send, delivered, channel, plan
):
    plan("timeout")
    with pytest.raises(InjectedTimeout):
        send(channel)
    assert delivered(channel) == 1


@pytest.mark.django_db
def test_latency_delays_the_message_which_then_goes_out(
    send, delivered, channel, plan, monkeypatch
):
    pauses: list[float] = []
    monkeypatch.setattr(hooks.time, "sleep", pauses.append)
    plan("latency:250")
    send(channel)
    assert pauses == [0.25]
    assert delivered(channel) == 1


@pytest.mark.parametrize("channel", ["sms", "push"])
@pytest.mark.django_db(transaction=True)
def test_crash_after_delivery_kills_the_worker_once_it_has_delivered(
    send, delivered, channel, plan
):
    plan("crash")
    assert run_in_child(lambda: send(channel)) == -signal.SIGKILL
    assert delivered(channel) == 1
