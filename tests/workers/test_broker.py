"""Waiting for the task broker: retried with backoff, never given up."""

from __future__ import annotations

import logging

import pytest

from workers.broker import broker_reachable, broker_wait


class FlakyBroker:
    """A broker that refuses ``failures`` pings, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.pings = 0

    def ping(self) -> bool:
        self.pings += 1
        if self.pings <= self.failures:
            raise ConnectionError("Connection refused")
        return True


def test_a_broker_that_answers_is_reachable():
    assert broker_reachable(FlakyBroker(failures=0)) is True


def test_a_broker_that_refuses_is_not_reachable():
    assert broker_reachable(FlakyBroker(failures=1)) is False


def test_waiting_retries_with_growing_delays_until_the_broker_answers(caplog):
    """Issue 12, case 5: qcluster waits instead of exiting; each miss is logged."""
    broker, slept = FlakyBroker(failures=7), []

    with caplog.at_level(logging.WARNING, logger="workers.broker"):
        misses = broker_wait(broker=broker, sleep=slept.append, max_delay=30)

    assert misses == 7
    assert broker.pings == 8
    assert slept == [1, 2, 4, 8, 16, 30, 30]
    assert len(caplog.records) == 8
    assert "answers again after 7 attempts" in caplog.records[-1].getMessage()


def test_a_broker_up_from_the_start_is_not_waited_for(caplog):
    slept: list[float] = []

    with caplog.at_level(logging.WARNING, logger="workers.broker"):
        assert broker_wait(broker=FlakyBroker(failures=0), sleep=slept.append) == 0

    assert slept == []
    assert caplog.records == []


@pytest.mark.django_db
def test_the_qcluster_command_waits_for_the_broker_before_starting(monkeypatch):
    """manage.py qcluster runs django-q2's cluster only after the broker answered."""
    from django.core.management import call_command
    from django_q.cluster import Cluster

    calls: list[str] = []
    # Cluster() takes over SIGINT and SIGTERM; keep them pytest's.
    monkeypatch.setattr("django_q.cluster.signal.signal", lambda *args: None)
    monkeypatch.setattr(
        "workers.management.commands.qcluster.broker_wait",
        lambda: calls.append("waited"),
    )
    monkeypatch.setattr(Cluster, "start", lambda self: calls.append("started"))
    monkeypatch.setattr(Cluster, "stop", lambda self: calls.append("stopped"))

    call_command("qcluster", run_once=True)

    assert calls == ["waited", "started", "stopped"]
