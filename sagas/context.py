"""What a step's action, record, compensation or reconcile function is handed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

S = TypeVar("S")


class Batch(Protocol):
    """Writes gathered during one transaction and sent once, before it commits."""

    def flush(self) -> None: ...


B = TypeVar("B", bound=Batch)


@dataclass
class StepContext(Generic[S]):
    """The run's state plus who is calling, for one attempt of one step.

    ``state`` is a private copy for this attempt: the engine keeps it only when
    the attempt succeeds, so a failed or abandoned attempt leaves no trace.
    ``failure`` is set for ``on_compensated``: the code and text of what made
    the run roll back (empty after a cancellation).
    """

    state: S
    saga: str
    operation_id: str
    step_name: str
    # ``<saga>:<operation_id>:<step>`` (``Saga.idempotency_key``), the same on
    # every attempt: the key every external call of the step carries.
    idempotency_key: str
    # ``<saga>:<operation_id>:<step>:undo``: the key of the step's compensation.
    undo_key: str
    attempt: int = 1
    run_id: int | None = None
    failure_code: str = ""
    failure: str = ""
    # Set by the engine while the context runs inside a recording transaction.
    _batches: dict[str, Batch] | None = field(default=None, repr=False)

    def batch(self, key: str, factory: Callable[[], B]) -> B:
        """Return the transaction's batch called ``key``, made by ``factory``.

        Steps whose records share one transaction (a local step runs in the
        transaction of the step before it) can gather writes of one kind there,
        to be sent as one statement when the engine flushes the batches, just
        before the journal entry. Outside such a transaction there is nothing
        to gather into: the call raises ``RuntimeError``.
        """
        if self._batches is None:
            raise RuntimeError(
                f"Step {self.step_name!r} is not running in a recording transaction."
            )
        if key not in self._batches:
            self._batches[key] = factory()
        return self._batches[key]  # type: ignore[return-value]
