"""The transition table of orders/states.py, run by the ``transitions`` library.

In the style of django-transitions, the machine drives a small stand-in object
(``OrderStateModel``) rather than the Django model: transitions would otherwise
add methods to ``Order`` and assign its ``state`` field, which only
``orders.services.order_transition`` may change (by a conditional update).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from transitions import Machine
from transitions.extensions import GraphMachine

from orders.guards import GUARDS, Guard, OrderEvidence
from orders.states import INITIAL_STATE, TERMINAL_STATES, TRANSITIONS, State

DIAGRAM_TITLE = "Order"


def machine_config() -> dict[str, Any]:
    """Return the keyword arguments that build the order machine from the table."""
    return {
        "states": [
            {"name": state.value, "final": state in TERMINAL_STATES} for state in State
        ],
        "transitions": [
            {
                "trigger": rule.event,
                "source": [source.value for source in rule.sources],
                "dest": rule.dest.value,
                # A name, resolved on the model: see OrderStateModel.__init__.
                "conditions": [rule.guard],
            }
            for rule in TRANSITIONS
        ],
        "initial": INITIAL_STATE.value,
        # No implicit to_<state>() events: the table is the only way to move.
        "auto_transitions": False,
        "ignore_invalid_triggers": False,
    }


class OrderStateModel:
    """The object the machine moves: an order's state and the evidence for guards.

    Each instance gets its own small machine, so concurrent requests never share
    mutable machine state.
    """

    def __init__(self, *, state: str, evidence: OrderEvidence | None = None) -> None:
        self.evidence = evidence
        # The table names its guards; bind each name to this model's evidence so
        # the machine resolves them like model methods.
        for name, guard in GUARDS.items():
            setattr(self, name, partial(self._check_guard, guard))
        config = machine_config()
        config["initial"] = str(state)
        self.machine = Machine(model=self, **config)

    def allowed_events(self) -> list[str]:
        """Return the events the table allows from the current state, in table order."""
        return self.machine.get_triggers(self.state)

    def fire(self, event: str) -> bool:
        """Run ``event``; return False, state unchanged, if its guard fails."""
        return self.trigger(event)

    def _check_guard(self, guard: Guard) -> bool:
        if self.evidence is None:
            raise RuntimeError("Evidence is needed to evaluate an order guard.")
        return guard(self.evidence)


class _OrderGraphMachine(GraphMachine):
    """GraphMachine whose current state also gets a thick red outline in Mermaid."""

    style_attributes = {
        **GraphMachine.style_attributes,
        "node": {
            **GraphMachine.style_attributes["node"],
            "active": {
                **GraphMachine.style_attributes["node"]["active"],
                "stroke": "red",
                "stroke-width": "3px",
            },
        },
    }


def allowed_events(state: str) -> list[str]:
    """Return the events allowed from ``state``, as the machine sees them."""
    return OrderStateModel(state=state).allowed_events()


def order_diagram(*, state: str | None) -> str:
    """Render the machine as a Mermaid ``stateDiagram-v2``, highlighting ``state``.

    transitions' mermaid engine marks a state by applying its ``s_active`` class
    to it (here: red text and outline, salmon fill); no Graphviz is needed.
    """
    config = machine_config()
    machine = _OrderGraphMachine(
        model=None,
        graph_engine="mermaid",
        # transitions writes the title as the whole front-matter block, which
        # Mermaid reads as YAML: give it the key Mermaid expects.
        title=f"title: {DIAGRAM_TITLE}",
        show_conditions=True,
        **config,
    )
    graph = machine.graph_cls(machine)
    if state is not None:
        # transitions reads an Enum by its name; the table's states are values.
        state = str(state)
        machine.get_state(state)  # Raises ValueError for a state the table lacks.
        graph.set_node_style(state, "active")
    source = graph.get_graph().source
    # The flat mermaid graph does not draw final states; mark them as ends.
    ends = [f"  {state.value} --> [*]" for state in State if state in TERMINAL_STATES]
    return "\n".join([source, *ends])
