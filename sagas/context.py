"""What a step's action, compensation or reconcile function is handed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class StepContext:
    """The run's state plus who is calling, for one attempt of one step.

    ``state`` is a private copy for this attempt: the engine keeps it only when
    the attempt succeeds, so a failed or abandoned attempt leaves no trace.
    """

    state: Any
    saga: str
    operation_id: str
    run_id: int
    step_name: str
    attempt: int = 1

    @property
    def idempotency_key(self) -> str:
        """Return ``<saga>:<operation_id>:<step>``, the same on every attempt."""
        return f"{self.saga}:{self.operation_id}:{self.step_name}"
