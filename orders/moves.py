"""Moving an order through its state machine: checked in memory, written once.

``OrderMoves`` gathers the moves of one order made in one transaction (the
checkout's ``pay`` and ``reserve`` share a commit) and writes them as one
conditional UPDATE, from the state the first move left to the state the last
one reached, plus one INSERT of their events, each the order's history row
and its outbox message at once. Every move is still checked one by one: the
event must be allowed from the state before it, and its guard must hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from orders.evidence import order_evidence
from orders.exceptions import GuardRejected, IllegalTransition, TransitionConflict
from orders.guards import OrderEvidence
from orders.history import AGGREGATE, Transition, transition_payload
from orders.machine import OrderStateModel
from orders.states import producing_event, transition_for
from outbox.services import messages_emit

if TYPE_CHECKING:
    from orders.models import Order

# Moves written in this context, for a caller that reports them (see ``noted``).
_noted: ContextVar[list[Transition] | None] = ContextVar("order_moves", default=None)


@dataclass
class OrderMoves:
    """The moves of ``order`` in the current transaction, not yet written.

    ``order.state`` is the state the caller expects the row to hold. With
    ``settle_conflicts``, a row found in another state is read and the moves
    applied to it as it is (a repeat finds them done); without, the flush
    raises ``TransitionConflict`` and writes nothing.
    """

    order: Order
    settle_conflicts: bool = False
    pending: list[tuple[Transition, OrderEvidence | None]] = field(default_factory=list)

    @property
    def state(self) -> str:
        """Return the state the order will be in once the moves are written."""
        return self.pending[-1][0].to_state if self.pending else str(self.order.state)

    def add(
        self,
        event: str,
        *,
        actor: str,
        operation_id: str = "",
        evidence: OrderEvidence | None = None,
    ) -> str:
        """Check ``event`` from the state the previous moves reach; return the next.

        Repeating the event that produced that state changes nothing. Raise
        ``IllegalTransition`` for an event the table does not allow from it,
        ``GuardRejected`` when its guard does not hold.
        """
        from_state = self.state
        if event == producing_event(from_state):
            return from_state
        to_state = _checked(self.order, from_state, event, evidence)
        move = Transition(
            order_id=str(self.order.pk),
            from_state=from_state,
            to_state=to_state,
            event=event,
            actor=actor,
            operation_id=operation_id,
            created_at=timezone.now(),
        )
        self.pending.append((move, evidence))
        return to_state

    def flush(self, *, savepoint: bool = False) -> None:
        """Write the pending moves: one conditional UPDATE, one INSERT of events.

        Inside a caller's transaction no savepoint is taken unless asked: a
        conflict then dooms that transaction, which a saga's record wants (it
        is all or nothing); a caller that goes on after a refusal asks for one.
        """
        if not self.pending:
            return
        from orders.models import Order

        moves = [move for move, _ in self.pending]
        first, last = moves[0], moves[-1]
        with transaction.atomic(savepoint=savepoint):
            updated = Order.objects.filter(
                pk=self.order.pk, state=first.from_state
            ).update(state=last.to_state, updated_at=last.created_at)
            if not updated:
                if not self.settle_conflicts:
                    raise TransitionConflict(
                        order_id=self.order.pk,
                        expected_state=first.from_state,
                        event=first.event,
                    )
                moves = self._settled()
            _events_write(moves)
        self.pending = []
        if moves:
            self.order.set_persisted_state(moves[-1].to_state)
            self.order.updated_at = moves[-1].created_at
        noted = _noted.get()
        if noted is not None:
            noted.extend(moves)

    def _settled(self) -> list[Transition]:
        """Apply the moves to the order as it really stands (read once); return them.

        The saga knows where its order should be, so it does not read it first;
        when that was wrong (a retry after the moves happened, a cancellation),
        the state machine decides again from the real state.
        """
        from orders.models import Order

        fresh = Order.objects.get(pk=self.order.pk)
        fresh.line_rows = self.order.line_rows
        again = OrderMoves(order=fresh)
        for move, evidence in self.pending:
            again.add(
                move.event,
                actor=move.actor,
                operation_id=move.operation_id,
                evidence=evidence,
            )
        moves = [move for move, _ in again.pending]
        if moves:
            updated = Order.objects.filter(
                pk=fresh.pk, state=moves[0].from_state
            ).update(state=moves[-1].to_state, updated_at=moves[-1].created_at)
            if not updated:
                raise TransitionConflict(
                    order_id=fresh.pk,
                    expected_state=moves[0].from_state,
                    event=moves[0].event,
                )
        self.order = fresh
        return moves


def _checked(
    order: Order, from_state: str, event: str, evidence: OrderEvidence | None
) -> str:
    machine = OrderStateModel(state=from_state, evidence=evidence)
    allowed = machine.allowed_events()
    if event not in allowed:
        raise IllegalTransition(
            order_id=order.pk, state=from_state, event=event, allowed=allowed
        )
    if machine.evidence is None:
        machine.evidence = order_evidence(order=order)
    if not machine.fire(event):
        raise GuardRejected(
            order_id=order.pk,
            state=from_state,
            event=event,
            guard=transition_for(event).guard,
        )
    return machine.state


def _events_write(moves: list[Transition]) -> None:
    messages_emit(
        messages=[
            {
                "event_type": f"order.{move.to_state}",
                "aggregate_type": AGGREGATE,
                "aggregate_id": move.order_id,
                "payload": transition_payload(move),
            }
            for move in moves
        ]
    )


@contextmanager
def noted() -> Iterator[list[Transition]]:
    """Collect the moves this thread writes inside the block (to report them).

    A checkout that ran its saga in the request answers with the order as its
    steps left it; collecting their moves spares reading the order back.
    """
    moves: list[Transition] = []
    token = _noted.set(moves)
    try:
        yield moves
    finally:
        _noted.reset(token)
