"""The transition table is well formed: the rest of the app derives from it."""

from __future__ import annotations

from orders.guards import GUARDS
from orders.states import (
    EVENTS,
    INITIAL_STATE,
    TERMINAL_STATES,
    TRANSITIONS,
    State,
    producing_event,
    transition_for,
)


def test_every_guard_the_table_names_exists():
    """Each transition names a guard function defined in orders.guards."""
    assert {rule.guard for rule in TRANSITIONS} <= set(GUARDS)


def test_events_are_unique():
    """An event appears in one row only, so transition_for() is unambiguous."""
    assert len(EVENTS) == len(set(EVENTS))


def test_each_state_is_produced_by_at_most_one_event():
    """The idempotent-repeat rule needs a single producing event per state."""
    dests = [rule.dest for rule in TRANSITIONS]
    assert len(dests) == len(set(dests))


def test_terminal_states_have_no_outgoing_events():
    """Nothing leaves cancelled or refunded."""
    sources = {source for rule in TRANSITIONS for source in rule.sources}
    assert sources.isdisjoint(TERMINAL_STATES)
    assert {State.CANCELLED, State.REFUNDED} == TERMINAL_STATES


def test_a_shipped_order_can_only_be_refunded():
    """After the pivot the one way on is a refund of everything captured."""
    leaving = [rule.event for rule in TRANSITIONS if State.SHIPPED in rule.sources]
    assert leaving == ["refund"]


def test_every_state_is_reachable_from_the_initial_state():
    """No state in the choices is dead: each is created or some event's target."""
    assert {INITIAL_STATE} | {rule.dest for rule in TRANSITIONS} == set(State)


def test_producing_event_reads_the_table():
    """producing_event() names the event whose destination is the state."""
    assert producing_event(State.PAID) == "pay"
    assert producing_event(State.REFUNDED) == "refund"
    assert producing_event(State.CREATED) is None


def test_transition_for_an_unknown_event_is_none():
    """An event outside the table has no row."""
    assert transition_for("teleport") is None
    assert transition_for("ship").dest == State.SHIPPED
