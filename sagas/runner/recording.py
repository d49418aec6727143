"""A recording: one transaction holding steps' local writes and their journal entry.

The unit of the engine's bookkeeping. A recording runs, in order, the local
part of what just happened (an external step's ``record``, or a local step's
whole action), then the local steps that follow it (they need no commit of
their own: a crash rolls them back with the rest), flushes the batches those
bodies gathered, and writes the journal once. Everything commits together or
not at all.

When a body raises, the transaction rolls back and the journal in memory is
put back as it was; ``RecordingFailed`` tells the runner which body it was, so
it can try again with less (a folded step then runs on its own).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from sagas.context import Batch, StepContext
from sagas.tracing import NULL_SPAN


@dataclass
class Body:
    """One function to run in the recording, as the step (or hook) ``name``."""

    name: str
    fn: Callable[[StepContext[Any]], Any]
    attempt: int = 1
    # Called once the body succeeded, before the journal is written (marks).
    done: Callable[[], None] = lambda: None
    # Opens the body's span (see ``sagas.tracing``): none by default.
    span: Callable[[], Any] = lambda: NULL_SPAN


class RecordingFailed(Exception):
    """A body of a recording raised: nothing of the recording was kept."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(f"body {index} failed: {error!r}")
        self.index, self.error = index, error


@dataclass
class Recording:
    """What to run and write in one transaction (see the module docstring)."""

    bodies: list[Body]
    # Writes the journal (returns False when a cancellation refused the write).
    write: Callable[[], bool]
    make_context: Callable[[Body, Any, dict[str, Batch]], StepContext[Any]]
    get_state: Callable[[], Any]
    set_state: Callable[[Any], None]
    durable: bool = True
    batches: dict[str, Batch] = field(default_factory=dict)

    def run(self) -> bool:
        """Run the bodies and write the journal in one transaction.

        Return what the write returned. Raise ``RecordingFailed`` if a body
        raised (the transaction is rolled back; the caller restores memory).
        With no body, the journal's one UPDATE commits alone: no transaction
        is opened around a single statement.
        """
        if not self.bodies and self.durable:
            return self.write()
        with _transaction(self.durable):
            for index, body in enumerate(self.bodies):
                base = self.get_state()
                # The context is a private copy: a body that fails leaves the
                # state as it was.
                ctx = self.make_context(body, base, self.batches)
                try:
                    with body.span():
                        body.fn(ctx)
                except Exception as error:
                    raise RecordingFailed(index, error) from error
                self.set_state(_adopted(base, ctx.state))
                body.done()
            try:
                for batch in self.batches.values():
                    batch.flush()
            except Exception as error:
                # The batches hold the writes of every body: blame the last, so
                # that a retry without the folded steps can tell.
                raise RecordingFailed(max(len(self.bodies) - 1, 0), error) from error
            return self.write()


def _transaction(durable: bool):
    # durable: a recording of the engine's own must really commit; it refuses
    # to run inside a caller's transaction. The first recording of a new run
    # joins the caller's transaction instead (no savepoint: it is all or none).
    if durable:
        return transaction.atomic(durable=True)
    return transaction.atomic(savepoint=False)


def _adopted(base: Any, after: Any) -> Any:
    """Return ``base`` with the fields ``after`` changed (bodies share the state)."""
    merged = copy.copy(base)
    for state_field in dataclasses.fields(after):
        value = getattr(after, state_field.name)
        if value != getattr(base, state_field.name):
            setattr(merged, state_field.name, value)
    return merged
