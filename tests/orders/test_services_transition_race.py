"""Two connections race two events on one order: exactly one wins, every time."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from orders.exceptions import IllegalTransition, TransitionConflict
from orders.history import order_history
from orders.models import Order
from orders.services import order_transition
from orders.states import State
from outbox.models import OutboxMessage
from tests.orders.factories import evidence_for

ROUNDS = 50
JOIN_TIMEOUT = 30


def attempt(order_id, event: str, barrier: threading.Barrier, outcomes: dict) -> None:
    """Load the order on this thread's own connection, wait, then fire ``event``."""
    try:
        order = Order.objects.get(pk=order_id)
        evidence = evidence_for(event, order=order)
        barrier.wait(timeout=JOIN_TIMEOUT)
        try:
            order_transition(
                order=order, event=event, actor=f"test:{event}", evidence=evidence
            )
            outcomes[event] = "won"
        except (TransitionConflict, IllegalTransition) as error:
            outcomes[event] = error.code
    except Exception as error:  # Reported by the test, not lost in the thread.
        outcomes[event] = repr(error)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pay_and_cancel_racing_from_created_never_both_win(make_order):
    """Pay and cancel fired together from created, 50 times over: each time one
    wins, the other gets a conflict, and the history holds the winner alone."""
    for round_number in range(ROUNDS):
        order = make_order()
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}
        threads = [
            threading.Thread(target=attempt, args=(order.pk, event, barrier, outcomes))
            for event in ("pay", "cancel")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=JOIN_TIMEOUT)
        assert not any(thread.is_alive() for thread in threads)

        winners = [event for event, outcome in outcomes.items() if outcome == "won"]
        assert len(winners) == 1, (round_number, outcomes)
        loser = next(event for event in outcomes if event != winners[0])
        assert outcomes[loser] in {"transition_conflict", "illegal_transition"}
        expected = State.PAID if winners == ["pay"] else State.CANCELLED
        history = [row.event for row in order_history(order=order)]
        assert history == ["create", winners[0]]
        assert Order.objects.get(pk=order.pk).state == expected
        assert OutboxMessage.objects.filter(aggregate_id=str(order.pk)).count() == 2
