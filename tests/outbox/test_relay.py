"""The relay: leases, redelivery after a crash, order per aggregate, dead letters."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from outbox import relay
from outbox.models import InboxMessage, OutboxMessage
from outbox.relay import outbox_relay

pytestmark = pytest.mark.django_db

DELIVERED, PENDING, DEAD = "delivered", "pending", "dead"


def statuses() -> dict[int, str]:
    return dict(OutboxMessage.objects.values_list("pk", "status"))


def test_a_due_message_is_handled_and_marked_delivered(emit, recorder, clock):
    message = emit()
    assert outbox_relay(now=clock.now) == 1
    message.refresh_from_db()
    assert recorder.handled == [("1", message.pk)]
    assert (message.status, message.attempts, message.delivered_at) == (
        DELIVERED,
        1,
        clock.now,
    )


def test_a_message_not_yet_available_is_left_alone(emit, recorder, clock):
    message = emit()
    OutboxMessage.objects.update(available_at=clock.now + timedelta(seconds=1))
    assert outbox_relay(now=clock.now) == 0
    assert recorder.handled == []
    assert statuses() == {message.pk: PENDING}


def test_a_message_without_consumers_is_delivered(emit, clock):
    emit()
    outbox_relay(now=clock.now)
    assert list(statuses().values()) == [DELIVERED]


@pytest.fixture
def crash_before_marking(monkeypatch):
    """Make the relay die after delivering and before recording the outcome."""

    def die(*args, **kwargs):
        raise SystemExit("relay killed")

    monkeypatch.setattr(relay, "message_settle", die)
    return monkeypatch


def test_a_message_whose_relay_died_waits_for_the_lease_to_run_out(
    emit, receipts, clock, crash_before_marking
):
    message = emit()
    with pytest.raises(SystemExit):
        outbox_relay(now=clock.now)
    crash_before_marking.undo()

    outbox_relay(now=clock.advance(119))  # the lease is OUTBOX_CLAIM_SECONDS, 120

    message.refresh_from_db()
    assert (message.status, message.attempts) == (PENDING, 1)
    assert receipts() == 1


def test_a_relay_crash_before_marking_redelivers_and_the_inbox_keeps_one_effect(
    emit, receipts, clock, crash_before_marking
):
    message = emit()
    with pytest.raises(SystemExit):
        outbox_relay(now=clock.now)
    crash_before_marking.undo()
    assert receipts() == 1
    assert statuses()[message.pk] == PENDING

    outbox_relay(now=clock.advance(120))

    message.refresh_from_db()
    assert (message.status, message.attempts) == (DELIVERED, 2)
    assert receipts() == 1
    assert InboxMessage.objects.filter(consumer="receipts").count() == 1


def test_a_failing_message_blocks_its_aggregate_but_not_the_others(
    emit, recorder, clock
):
    first_a, second_a, first_b = (
        emit(aggregate_id="A"),
        emit(aggregate_id="A"),
        emit(aggregate_id="B"),
    )
    recorder.failing.add(first_a.pk)

    outbox_relay(now=clock.now)

    assert recorder.handled == [("B", first_b.pk)]
    assert statuses() == {
        first_a.pk: PENDING,
        second_a.pk: PENDING,
        first_b.pk: DELIVERED,
    }
    first_a.refresh_from_db()
    assert first_a.last_error == (
        f"recorder: RuntimeError('consumer cannot take message {first_a.pk}')"
    )


def test_a_failed_message_is_retried_after_its_backoff(emit, recorder, clock):
    message = emit()
    recorder.failing.add(message.pk)
    outbox_relay(now=clock.now)
    message.refresh_from_db()
    delay = (message.available_at - clock.now).total_seconds()
    assert 1.6 <= delay <= 2  # first retry: base 2 s, minus up to 20 % jitter

    recorder.failing.clear()
    assert outbox_relay(now=clock.now + timedelta(seconds=delay - 0.01)) == 0
    assert outbox_relay(now=message.available_at) == 1
    assert recorder.handled == [("1", message.pk)]


def test_once_the_first_message_succeeds_its_successors_follow_in_order(
    emit, recorder, clock
):
    messages = [emit(aggregate_id="A", n=n) for n in range(3)]
    recorder.failing.add(messages[0].pk)
    outbox_relay(now=clock.now)
    recorder.failing.clear()

    outbox_relay(now=clock.advance(60))

    assert recorder.handled == [("A", m.pk) for m in messages]
    assert set(statuses().values()) == {DELIVERED}


def test_a_message_is_dead_lettered_after_the_attempt_limit(emit, recorder, clock):
    message = emit()
    recorder.failing.add(message.pk)
    for _ in range(4):  # OUTBOX_MAX_ATTEMPTS in these tests
        outbox_relay(now=clock.advance(600))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (DEAD, 4)
    assert outbox_relay(now=clock.advance(600)) == 0


def test_a_dead_lettered_message_no_longer_blocks_its_successors(emit, recorder, clock):
    first, second = emit(aggregate_id="A"), emit(aggregate_id="A")
    recorder.failing.add(first.pk)
    for _ in range(4):
        outbox_relay(now=clock.advance(600))
    assert statuses() == {first.pk: DEAD, second.pk: DELIVERED}
    assert recorder.handled == [("A", second.pk)]


def test_a_batch_is_claimed_in_creation_order(emit, recorder, clock):
    messages = [emit(aggregate_id=str(n)) for n in range(5)]
    assert outbox_relay(batch_size=2, now=clock.now) == 5
    assert [pk for _, pk in recorder.handled] == [m.pk for m in messages]


@pytest.mark.django_db(transaction=True)
def test_parallel_relays_deliver_every_message_exactly_once(emit, clock):
    """Two relays started together share the backlog; none is handled twice.

    PostgreSQL claims with SKIP LOCKED, SQLite with conditional updates.
    """
    from outbox.handlers import register_handler

    handled: list[int] = []
    lock = threading.Lock()

    def record(message) -> None:
        with lock:
            handled.append(message.pk)

    register_handler("*", record, "counter")
    messages = [emit(aggregate_id=str(n)) for n in range(40)]
    start = threading.Barrier(2, timeout=10)
    results: list[int] = []

    def run() -> None:
        try:
            start.wait()
            results.append(outbox_relay(batch_size=5, now=clock.now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(handled) == [m.pk for m in messages]
    assert sum(results) == 40
    assert set(statuses().values()) == {DELIVERED}
    assert InboxMessage.objects.count() == 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_relay_skips_messages_another_relay_has_locked(emit, recorder, clock):
    """SKIP LOCKED: rows locked by a claim in progress are passed over, not awaited."""
    messages = [emit(aggregate_id=str(n)) for n in range(6)]
    locked, free = messages[:3], messages[3:]
    results: list[int] = []

    def run() -> None:
        try:
            results.append(outbox_relay(now=clock.now))
        finally:
            connection.close()

    with transaction.atomic():
        list(
            OutboxMessage.objects.filter(
                pk__in=[m.pk for m in locked]
            ).select_for_update()
        )
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive()

    assert results == [3]
    assert [pk for _, pk in recorder.handled] == [m.pk for m in free]
    assert statuses() == {
        **{m.pk: PENDING for m in locked},
        **{m.pk: DELIVERED for m in free},
    }
