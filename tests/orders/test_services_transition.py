"""order_transition(): legal moves, repeats, illegal events, guards, conflicts."""

from __future__ import annotations

from itertools import product

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.exceptions import GuardRejected, IllegalTransition, TransitionConflict
from orders.history import order_history
from orders.machine import allowed_events
from orders.models import Order
from orders.services import order_transition
from orders.states import EVENTS, TRANSITIONS, State, producing_event
from outbox.models import OutboxMessage
from tests.orders.factories import evidence_for

LEGAL = [
    (source, rule.event, rule.dest) for rule in TRANSITIONS for source in rule.sources
]
LEGAL_PAIRS = {(source, event) for source, event, _dest in LEGAL}
REPEATS = [(state, producing_event(state)) for state in State if producing_event(state)]
ILLEGAL = [
    (state, event)
    for state, event in product(State, (*EVENTS, "teleport"))
    if (state, event) not in LEGAL_PAIRS and event != producing_event(state)
]


def stored(order: Order) -> tuple[str, int, int]:
    """Return what the database holds for the order: state, history rows, messages."""
    return (
        Order.objects.get(pk=order.pk).state,
        len(order_history(order=order)),
        OutboxMessage.objects.filter(aggregate_id=str(order.id)).count(),
    )


def ids(pairs):
    return [f"{pair[0]}-{pair[1]}" for pair in pairs]


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "event", "dest"), LEGAL, ids=ids(LEGAL))
def test_legal_event_moves_the_order_and_records_history_and_outbox(
    order_in, source, event, dest
):
    """A legal event with its guard holding moves the order, writes one history row
    and one outbox message, all naming the move."""
    order = order_in(source)
    before = stored(order)

    result = order_transition(
        order=order,
        event=event,
        actor="saga:checkout",
        operation_id=order.operation_id,
        evidence=evidence_for(event, order=order),
    )

    assert result is order and order.state == dest
    assert stored(order) == (dest, before[1] + 1, before[2] + 1)
    row = order_history(order=order)[-1]
    assert (row.from_state, row.to_state, row.event, row.actor) == (
        source,
        dest,
        event,
        "saga:checkout",
    )
    message = OutboxMessage.objects.filter(aggregate_id=str(order.id)).last()
    assert message.event_type == f"order.{dest}"
    assert message.payload == {
        "at": row.created_at.isoformat(),
        "order_id": str(order.id),
        "from_state": source,
        "to_state": dest,
        "event": event,
        "operation_id": order.operation_id,
        "actor": "saga:checkout",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "event"), ILLEGAL, ids=ids(ILLEGAL))
def test_illegal_event_raises_naming_order_state_event_and_allowed(
    order_in, state, event
):
    """An event the table does not allow from the state raises IllegalTransition,
    whose message and data name the order, its state, the event and the allowed
    events; nothing is written."""
    order = order_in(state)
    before = stored(order)

    with pytest.raises(IllegalTransition) as caught:
        order_transition(order=order, event=event, actor="user:alice")

    error = caught.value
    assert (error.code, error.status) == ("illegal_transition", 409)
    allowed = sorted(allowed_events(state))
    assert error.extra == {
        "order_id": str(order.id),
        "state": state,
        "event": event,
        "allowed_events": allowed,
    }
    for part in (str(order.id), repr(state.value), repr(event), *allowed):
        assert part in error.message
    assert stored(order) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "event"), REPEATS, ids=ids(REPEATS))
def test_repeating_the_producing_event_is_a_no_op(order_in, state, event):
    """The event that produced the current state succeeds again and writes nothing,
    without even asking the other services for evidence."""
    order = order_in(state)
    before = stored(order)

    with CaptureQueriesContext(connection) as queries:
        result = order_transition(order=order, event=event, actor="saga:checkout")

    assert result is order and order.state == state
    assert len(queries) == 0
    assert stored(order) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "event", "dest"), LEGAL, ids=ids(LEGAL))
def test_failing_guard_raises_and_writes_nothing(order_in, source, event, dest):
    """A legal event whose guard does not hold raises GuardRejected naming the guard;
    the order stays where it was, in memory and in the database."""
    order = order_in(source)
    before = stored(order)

    with pytest.raises(GuardRejected) as caught:
        order_transition(
            order=order,
            event=event,
            actor="saga:checkout",
            evidence=evidence_for(event, order=order, passes=False),
        )

    guard = next(rule.guard for rule in TRANSITIONS if rule.event == event)
    assert caught.value.code == "transition_guard_failed"
    assert caught.value.extra["guard"] == guard
    assert guard in caught.value.message
    assert order.state == source
    assert stored(order) == before


@pytest.mark.django_db
def test_stale_order_moved_by_another_writer_conflicts_and_writes_nothing(order):
    """If another writer moved the row after we read it, the conditional update
    matches nothing: TransitionConflict, no history row, no outbox message."""
    stale = Order.objects.get(pk=order.pk)
    order_transition(
        order=order,
        event="pay",
        actor="saga:checkout",
        evidence=evidence_for("pay", order=order),
    )
    before = stored(order)

    with pytest.raises(TransitionConflict) as caught:
        order_transition(
            order=stale,
            event="cancel",
            actor="user:alice",
            evidence=evidence_for("cancel", order=stale),
        )

    assert (caught.value.code, caught.value.status) == ("transition_conflict", 409)
    assert stored(order) == before == (State.PAID, 2, 2)
    assert stale.state == State.CREATED


@pytest.mark.django_db
def test_transition_writes_two_rows_and_reads_nothing(order):
    """One conditional UPDATE, one INSERT of its event (the history row): no read."""
    with CaptureQueriesContext(connection) as queries:
        order_transition(
            order=order,
            event="pay",
            actor="saga:checkout",
            evidence=evidence_for("pay", order=order),
        )

    statements = [
        q["sql"].split()[0].upper()
        for q in queries.captured_queries
        if "SAVEPOINT" not in q["sql"].upper()
        and q["sql"].split()[0].upper() not in {"BEGIN", "COMMIT"}
    ]
    assert sorted(statements) == ["INSERT", "UPDATE"]


@pytest.mark.django_db
def test_transition_leaves_the_order_saveable(order):
    """After a transition the in-memory order knows its stored state, so saving
    other fields is accepted and keeps the new state."""
    order_transition(
        order=order,
        event="cancel",
        actor="user:alice",
        evidence=evidence_for("cancel", order=order),
    )
    order.failure_code = "customer_cancelled"
    order.save()

    assert Order.objects.get(pk=order.pk).state == State.CANCELLED


@pytest.mark.django_db
def test_missing_evidence_is_gathered_from_the_services(order, monkeypatch):
    """Without evidence, order_transition asks order_evidence() for it."""
    asked = []

    def fake_evidence(*, order):
        asked.append(order.pk)
        return evidence_for("pay", order=order)

    monkeypatch.setattr("orders.moves.order_evidence", fake_evidence)
    order_transition(order=order, event="pay", actor="saga:checkout")

    assert asked == [order.pk]
    assert Order.objects.get(pk=order.pk).state == State.PAID
