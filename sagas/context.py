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
    # ``<saga>:<operation_id>:<step>`` (``Saga.idempotency_key``), the same on
    # every attempt: the key every external call of the step carries.
    idempotency_key: str
    attempt: int = 1
