"""The transitions machine built from the table, and its Mermaid diagram."""

from __future__ import annotations

import pytest

from orders.guards import OrderEvidence
from orders.machine import OrderStateModel, allowed_events, order_diagram
from orders.states import TERMINAL_STATES, TRANSITIONS, State


@pytest.mark.parametrize("state", list(State))
def test_allowed_events_are_the_table_rows_leaving_the_state(state):
    """The machine allows exactly the events whose sources include the state."""
    expected = [rule.event for rule in TRANSITIONS if state in rule.sources]
    assert allowed_events(state) == expected


def test_machine_has_no_auto_transitions():
    """auto_transitions=False: no to_<state>() shortcut bypasses the table."""
    model = OrderStateModel(state=State.CREATED)
    assert not hasattr(model, "to_shipped")
    assert model.machine.auto_transitions is False


def test_fire_with_a_failing_guard_leaves_the_state():
    """A guard that does not hold stops the event; the state stays where it was."""
    model = OrderStateModel(
        state=State.CREATED, evidence=OrderEvidence(total_minor=500, captured_minor=0)
    )
    assert model.fire("pay") is False
    assert model.state == State.CREATED


def test_fire_with_a_passing_guard_moves_to_the_destination():
    """The named guard is resolved on the model and evaluated on its evidence."""
    model = OrderStateModel(
        state=State.CREATED,
        evidence=OrderEvidence(total_minor=500, captured_minor=500),
    )
    assert model.fire("pay") is True
    assert model.state == State.PAID


def test_guard_without_evidence_is_an_error_not_a_silent_false():
    """Evaluating a guard needs evidence; a missing one is a programming error."""
    model = OrderStateModel(state=State.CREATED)
    with pytest.raises(RuntimeError, match="Evidence"):
        model.fire("pay")


def test_diagram_is_a_mermaid_state_diagram_with_every_state_and_event():
    """The diagram is drawn from the table: all states, all events."""
    source = order_diagram(state=None)
    assert "stateDiagram-v2" in source
    for state in State:
        assert f'state "{state.value}" as {state.value}' in source
    for rule in TRANSITIONS:
        for origin in rule.sources:
            assert f"{origin} --> {rule.dest}: {rule.event}" in source
    assert "[*] --> created" in source
    for state in TERMINAL_STATES:
        assert f"{state} --> [*]" in source


def test_diagram_highlights_the_current_state_only():
    """The current state gets the s_active class, which has a visible style."""
    source = order_diagram(state=State.RESERVED)
    lines = [line.strip() for line in source.splitlines()]
    assert "Class reserved s_active" in lines
    active_def = next(line for line in lines if line.startswith("classDef s_active"))
    assert "stroke:red" in active_def
    assert "fill:darksalmon" in active_def
    assert [line for line in lines if line.endswith(" s_active")] == [
        "Class reserved s_active"
    ]


def test_diagram_without_a_state_highlights_nothing():
    """Without a current state no node uses the active class."""
    lines = [line.strip() for line in order_diagram(state=None).splitlines()]
    assert not [line for line in lines if line.endswith(" s_active")]


def test_diagram_of_an_unknown_state_is_refused():
    """A state the table does not know cannot be highlighted."""
    with pytest.raises(ValueError):
        order_diagram(state="lost")
