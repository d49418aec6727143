"""How a saga is declared: steps with their undo, retry policies, parallel groups.

What a step commits, and when, follows from how it is declared (``Step.rule``):

- ``local=True``: every effect is in this database. The action runs inside the
  transaction that also records the step, so a crash leaves nothing half done.
- idempotent or reconcilable (``resumable``): the action (the external call)
  runs outside any transaction with no record before it; if the worker dies
  before the result is recorded, recovery repeats the call with the same key or
  asks ``reconcile``. ``record`` then writes the step's local consequences in
  the transaction that records the step.
- neither: the step is recorded ``started`` (committed) before its action, so a
  resumed run knows the outcome is unknown and asks a person.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import random
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any

from sagas.exceptions import BusinessError

if TYPE_CHECKING:
    from sagas.context import StepContext

Action = Callable[["StepContext[Any]"], None]
Reconcile = Callable[["StepContext[Any]"], "Outcome"]


class Rule(enum.StrEnum):
    """Which commit rule a step follows (see the module docstring)."""

    LOCAL = "local"
    RESUMABLE = "resumable"
    RECORD_FIRST = "record_first"


class Outcome(enum.StrEnum):
    """What really happened to a call whose answer was lost."""

    COMPLETED = "completed"
    NOT_HAPPENED = "not_happened"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RetryPolicy:
    """How often, and how patiently, to try again after a transient error."""

    max_attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1.")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1).")

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Return the pause in seconds after failed attempt number ``attempt``."""
        nominal = min(
            self.max_delay, self.base_delay * self.multiplier ** (attempt - 1)
        )
        # Jitter spreads the retries of many runs, so they do not hammer a service
        # that is just recovering all at the same instant.
        spread = 1 + rng.uniform(-self.jitter, self.jitter)
        return min(self.max_delay, nominal * spread)

    def describe(self) -> str:
        """Return the policy in a few words, for the recovery plan."""
        if self.max_attempts == 1:
            return "1 attempt, no retry"
        return (
            f"{self.max_attempts} attempts, {self.base_delay:g}s x{self.multiplier:g}"
            f" up to {self.max_delay:g}s, ±{self.jitter:.0%} jitter"
        )


# What a step can change, in the words of a recovery plan.
EFFECT_KINDS = (
    "local table",
    "external API",
    "payment",
    "reservation",
    "queue",
    "email",
    "message",
)


@dataclass(frozen=True)
class Effect:
    """Something a step changes, and the marker that finds it again.

    ``kind`` is one of ``EFFECT_KINDS``; ``found_by`` names what recovery or
    the undo looks it up by ("operation id", "step key"): the implicit
    markers a recovery plan lists beside the journal.
    """

    kind: str
    what: str
    found_by: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EFFECT_KINDS:
            raise ValueError(f"Effect kind {self.kind!r} is not one of {EFFECT_KINDS}.")


# Compensations matter more than actions (they put money and stock back), so they
# get more patience by default.
COMPENSATION_RETRY = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=10.0)


@dataclass(frozen=True)
class Step:
    """One step: an action, then its undo, and what to do when its answer is lost.

    ``action(ctx)`` and ``compensation(ctx)`` mutate ``ctx.state``; ``reconcile(ctx)``
    asks the external system what really happened and returns an ``Outcome``
    (recording what it found, an id, in ``ctx.state``). ``record(ctx)`` writes
    the local consequences of an external step's answer (our ledger row, the
    order's move) in the same transaction as the step's journal entry; it runs
    after the action or after a reconcile that found the effect. ``local``
    steps have no ``record``: their whole action runs in that transaction.
    ``retriable_only`` steps (after the pivot) never compensate: they are
    retried, then the run stops for review, unless ``best_effort`` lets it
    finish anyway. ``saves`` and ``effects`` change nothing the runner does:
    they tell the recovery plan what the step keeps and what it changes.
    """

    name: str
    action: Action
    compensation: Action | None = None
    _: KW_ONLY
    record: Action | None = None
    local: bool = False
    retry: RetryPolicy = RetryPolicy()
    compensation_retry: RetryPolicy = COMPENSATION_RETRY
    timeout: float | None = None
    idempotent: bool = False
    reconcile: Reconcile | None = None
    retriable_only: bool = False
    best_effort: bool = False
    saves: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if self.retriable_only and self.compensation is not None:
            raise ValueError(f"Step {self.name!r}: a retriable-only step has no undo.")
        if self.best_effort and not self.retriable_only:
            raise ValueError(f"Step {self.name!r}: best_effort needs retriable_only.")
        if self.local and (self.record is not None or self.reconcile is not None):
            raise ValueError(
                f"Step {self.name!r}: a local step runs in its own record's "
                "transaction and never loses its answer: no record, no reconcile."
            )
        if self.local and self.timeout is not None:
            raise ValueError(f"Step {self.name!r}: a local step takes no timeout.")

    @property
    def resumable(self) -> bool:
        """Return whether recovery can settle a lost answer without a person.

        It can ask the external system (``reconcile``) or repeat the call with
        the same key (``idempotent``).
        """
        return self.idempotent or self.reconcile is not None

    @property
    def rule(self) -> Rule:
        """Return the commit rule this step follows (see the module docstring)."""
        if self.local:
            return Rule.LOCAL
        return Rule.RESUMABLE if self.resumable else Rule.RECORD_FIRST


@dataclass(frozen=True)
class Parallel:
    """Steps that run at the same time; they must write disjoint state fields."""

    name: str
    steps: list[Step]

    def __post_init__(self) -> None:
        if not self.steps or not all(isinstance(s, Step) for s in self.steps):
            raise ValueError(f"Parallel {self.name!r} needs one or more plain steps.")


@dataclass(frozen=True)
class FlatStep:
    """A step with its place in the saga: position (1-based) and parallel group."""

    position: int
    step: Step
    group: str


@dataclass(frozen=True, eq=False)
class Saga:
    """A named list of steps and parallel groups sharing one dataclass state.

    After ``pivot`` has completed the saga can only go forward: every later step
    must be retriable-only, and the run can no longer be cancelled.
    """

    name: str
    steps: list[Step | Parallel]
    state_type: type
    _: KW_ONLY
    business_errors: tuple[type[BaseException], ...] = (BusinessError,)
    unknown_outcome_errors: tuple[type[BaseException], ...] = (TimeoutError,)
    on_completed: Action | None = None
    on_compensated: Action | None = None
    pivot: str | None = None

    def __post_init__(self) -> None:
        if not dataclasses.is_dataclass(self.state_type):
            raise TypeError(f"Saga {self.name!r}: state_type must be a dataclass.")
        names = [flat.step.name for flat in self.flat()]
        if len(set(names)) != len(names):
            raise ValueError(f"Saga {self.name!r}: step names must be unique.")
        if self.pivot is not None:
            if self.pivot not in names:
                raise ValueError(f"Saga {self.name!r}: no step named {self.pivot!r}.")
            after = names[names.index(self.pivot) + 1 :]
            if not all(self.step(name).retriable_only for name in after):
                raise ValueError(
                    f"Saga {self.name!r}: steps after the pivot must be retriable-only."
                )

    def flat(self) -> list[FlatStep]:
        """Return every step in order, parallel members included."""
        flat: list[FlatStep] = []
        for item in self.steps:
            members = item.steps if isinstance(item, Parallel) else [item]
            group = item.name if isinstance(item, Parallel) else ""
            for step in members:
                flat.append(FlatStep(len(flat) + 1, step, group))
        return flat

    def step(self, name: str) -> Step:
        """Return the step called ``name``."""
        for flat in self.flat():
            if flat.step.name == name:
                return flat.step
        raise KeyError(name)

    def idempotency_key(self, operation_id: str, step_name: str) -> str:
        """Return the key every external call of that step carries.

        ``<saga>:<operation_id>:<step>``, the same on every attempt: stored on the
        step's row and handed to its action in ``StepContext.idempotency_key``.
        """
        return f"{self.name}:{operation_id}:{step_name}"

    def undo_key(self, operation_id: str, step_name: str) -> str:
        """Return the key of that step's compensation: ``<step key>:undo``.

        Distinct from the action's key: a processor treats a key as one request,
        so a refund must not reuse the key of the charge it refunds.
        """
        return f"{self.idempotency_key(operation_id, step_name)}:undo"

    def leading_local(self) -> list[Step]:
        """Return the local steps the saga starts with (run where it is recorded)."""
        leading: list[Step] = []
        for item in self.steps:
            if not isinstance(item, Step) or not item.local:
                break
            leading.append(item)
        return leading

    def state_dump(self, state: Any) -> dict[str, Any]:
        """Return ``state`` as JSON-ready data.

        A field by field view rather than ``dataclasses.asdict``'s deep copy:
        the engine never changes a state in place, and each step's attempt gets
        a copy of its own. A field holding a dataclass is converted as asdict
        would.
        """
        try:
            data = dict(vars(state))
        except TypeError:  # a dataclass with __slots__
            data = {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}
        for name, value in data.items():
            if hasattr(type(value), "__dataclass_fields__"):
                data[name] = dataclasses.asdict(value)
        return data

    def state_load(self, data: dict[str, Any]) -> Any:
        """Return the state dataclass stored as ``data``."""
        return self.state_type(**data)

    def state_copy(self, state: Any) -> Any:
        """Return a copy of ``state`` that shares nothing with it.

        Through JSON, as the state is stored: several times faster than
        ``copy.deepcopy`` for the lists and dicts a state holds, and a state
        that could not be stored fails here, at once.
        """
        return self.state_load(json.loads(json.dumps(self.state_dump(state))))
