"""Random events with random guard outcomes never break the order's history."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from orders.exceptions import GuardRejected, IllegalTransition
from orders.history import order_history
from orders.models import Order, Product
from orders.services import order_create, order_transition
from orders.states import (
    CREATE_EVENT,
    EVENTS,
    INITIAL_STATE,
    TERMINAL_STATES,
    TRANSITIONS,
    producing_event,
    transition_for,
)
from outbox.models import OutboxMessage
from tests.orders.factories import evidence_for

LEGAL_STEPS = {
    (source, rule_.event, rule_.dest)
    for rule_ in TRANSITIONS
    for source in rule_.sources
}
operation_ids = itertools.count(1)


class OrderLifecycle(RuleBasedStateMachine):
    """Drive one real order with random events; compare with the table's model."""

    def __init__(self) -> None:
        super().__init__()
        owner, _ = get_user_model().objects.get_or_create(username="prop")
        Product.objects.get_or_create(
            sku="PROP-001", defaults={"name": "Prop", "price": Decimal("10.00")}
        )
        self.order = order_create(
            owner=owner,
            lines=[{"sku": "PROP-001", "quantity": 3}],
            payment_token="tok_visa",
            shipping_address={},
            operation_id=f"prop-{next(operation_ids)}",
        )
        self.expected = INITIAL_STATE
        self.reached_terminal: str | None = None

    @rule(event=st.sampled_from(EVENTS), guard_holds=st.booleans())
    def fire(self, event: str, guard_holds: bool) -> None:
        """Fire an event; the outcome must be the one the table predicts."""
        table_row = transition_for(event)
        legal = self.expected in table_row.sources
        evidence = evidence_for(event, order=self.order, passes=guard_holds)
        try:
            order_transition(
                order=self.order, event=event, actor="prop:test", evidence=evidence
            )
        except IllegalTransition:
            assert not legal and event != producing_event(self.expected)
        except GuardRejected:
            assert legal and not guard_holds
        else:
            if event == producing_event(self.expected):
                assert self.order.state == self.expected
            else:
                assert legal and guard_holds
                self.expected = table_row.dest
        if self.expected in TERMINAL_STATES and self.reached_terminal is None:
            self.reached_terminal = self.expected

    @invariant()
    def history_is_a_legal_path(self) -> None:
        rows = [
            (row.from_state, row.event, row.to_state)
            for row in order_history(order=self.order)
        ]
        assert rows[0] == ("", CREATE_EVENT, INITIAL_STATE)
        for previous, step in itertools.pairwise(rows):
            assert step[0] == previous[2]
            assert step in LEGAL_STEPS

    @invariant()
    def stored_state_is_the_last_history_row(self) -> None:
        last = order_history(order=self.order)[-1]
        stored = Order.objects.get(pk=self.order.pk).state
        assert stored == last.to_state == self.expected == self.order.state

    @invariant()
    def terminal_states_stay_terminal(self) -> None:
        if self.reached_terminal is not None:
            assert Order.objects.get(pk=self.order.pk).state == self.reached_terminal

    @invariant()
    def one_outbox_message_per_history_row(self) -> None:
        """Each history row (the creation included) has its own message, in order."""
        history = order_history(order=self.order)
        messages = OutboxMessage.objects.filter(
            aggregate_type="order", aggregate_id=str(self.order.pk)
        )
        assert [f"order.{row.to_state}" for row in history] == [
            message.event_type for message in messages
        ]


@pytest.mark.django_db
def test_random_events_keep_the_history_legal():
    """Hypothesis fires random events with random guard outcomes at real orders."""
    run_state_machine_as_test(
        OrderLifecycle,
        settings=settings(max_examples=50, stateful_step_count=15, deadline=None),
    )
