"""Toy sagas and a toy external system for the engine's tests.

``ToyService`` plays the external systems (a bank, a warehouse, a carrier). Its
records live in files, so they outlive a process killed in the middle of a call,
and faults can be switched on and off from the outside, like a real outage.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sagas.definition import Effect, Outcome, Parallel, RetryPolicy, Saga, Step
from sagas.exceptions import BusinessError
from sagas.models import SagaRun
from sagas.records import StepRecord
from sagas.registry import register

FAST = RetryPolicy(max_attempts=3, base_delay=0.1, max_delay=0.3, jitter=0.1)
PATIENT = RetryPolicy(max_attempts=5, base_delay=0.1, max_delay=0.3, jitter=0.1)
UNDO = RetryPolicy(max_attempts=4, base_delay=0.1, max_delay=0.3, jitter=0.1)


_LOCK = threading.Lock()


class SimulatedCrash(BaseException):
    """Stands in for the process dying: the runner does not catch BaseException."""


class Declined(BusinessError):
    code = "toy_declined"


class ToyService:
    """A pretend external system: calls are idempotent by key, records are files.

    Fault modes (``fail(point, mode)``):

    - ``error``: every call fails before any effect;
    - ``transient:N``: the first N calls of a key fail before any effect;
    - ``declined``: a business refusal;
    - ``timeout``: the effect happens, then the caller sees ``TimeoutError``
      (once; ``timeouts``: every time);
    - ``stall``: ``TimeoutError`` before any effect (once);
    - ``hang:S``: the effect happens, then the answer takes S seconds;
    - ``crash``: the effect happens, then ``SimulatedCrash`` (once);
    - ``sigkill``: the effect happens, then the process is killed (once).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    # -- faults, set by the tests -------------------------------------------------

    def fail(self, point: str, mode: str) -> None:
        faults = self._faults()
        faults[point] = mode
        (self.root / "faults.json").write_text(json.dumps(faults))

    def heal(self, point: str) -> None:
        faults = self._faults()
        faults.pop(point, None)
        (self.root / "faults.json").write_text(json.dumps(faults))

    def _faults(self) -> dict[str, str]:
        path = self.root / "faults.json"
        return json.loads(path.read_text()) if path.exists() else {}

    # -- the service's API, used by the toy steps ------------------------------

    def call(self, point: str, key: str) -> str:
        """Do ``point`` for ``key``; a repeated key returns the first result."""
        self._append("calls", point, key)
        mode = self._faults().get(point, "")
        if mode == "error":
            raise ConnectionError(f"{point} is down")
        if mode == "declined":
            raise Declined(f"{point} refused")
        if mode == "stall":
            self.heal(point)
            raise TimeoutError(f"{point}: no answer (and nothing happened)")
        hiccups = int(mode.split(":")[1]) if mode.startswith("transient:") else 0
        if self.calls(point, key) <= hiccups:
            raise ConnectionError(f"{point} hiccup")
        with _LOCK:
            if key not in self.effects(point):
                self._append("effects", point, key)
        result = f"{point}#{self.effects().index((point, key)) + 1}"
        if mode in ("timeout", "crash", "sigkill"):
            self.heal(point)  # these strike once
        if mode in ("timeout", "timeouts"):
            raise TimeoutError(f"{point}: the answer was lost")
        if mode.startswith("hang:"):
            time.sleep(float(mode.split(":")[1]))
        if mode == "crash":
            raise SimulatedCrash(point)
        if mode == "sigkill":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    def lookup(self, point: str, key: str) -> bool:
        """Tell whether ``point`` happened for ``key`` (what reconcile asks)."""
        self._append("lookups", point, key)
        if self._faults().get(f"lookup:{point}") == "error":
            raise ConnectionError("lookups are down")
        return key in self.effects(point)

    # -- what the tests inspect ------------------------------------------------

    def effects(self, point: str | None = None) -> list:
        """Return the effects in order: (point, key) pairs, or keys of ``point``."""
        return self._read("effects", point)

    def calls(self, point: str, key: str | None = None) -> int:
        return len([k for k in self._read("calls", point) if key in (None, k)])

    def call_keys(self, point: str) -> set[str]:
        return set(self._read("calls", point))

    def lookups(self, point: str) -> int:
        return len(self._read("lookups", point))

    def points(self) -> list[str]:
        """Return the points of all effects, in the order they happened."""
        return [point for point, _ in self.effects()]

    def _append(self, log: str, point: str, key: str) -> None:
        with open(self.root / f"{log}.log", "a") as handle:
            handle.write(f"{point} {key}\n")

    def _read(self, log: str, point: str | None) -> list:
        path = self.root / f"{log}.log"
        lines = path.read_text().splitlines() if path.exists() else []
        pairs = [tuple(line.split(" ", 1)) for line in lines]
        return pairs if point is None else [k for p, k in pairs if p == point]


def step_statuses(run) -> dict[str, str]:
    """Return {step name: status} of a run, read from the database."""
    fresh = SagaRun.objects.get(pk=run.pk)
    return {row.name: row.status for row in fresh.step_rows}


def step_row(run, name: str) -> StepRecord:
    """Return the journal entry of step ``name`` of a run, read from the database."""
    fresh = SagaRun.objects.get(pk=run.pk)
    return next(row for row in fresh.step_rows if row.name == name)


@dataclass
class OrderState:
    """The toy order's state; ``service`` says where its toy systems live."""

    service: str
    reservation_id: str = ""
    charge_id: str = ""
    package_id: str = ""
    shipment_id: str = ""
    notes: dict = field(default_factory=dict)


def _service(ctx) -> ToyService:
    return ToyService(ctx.state.service)


def _effect(point: str, attribute: str | None = None):
    """Return a step function doing ``point`` and keeping its id in ``attribute``."""

    def act(ctx) -> None:
        result = _service(ctx).call(point, ctx.idempotency_key)
        if attribute:
            setattr(ctx.state, attribute, result)

    act.__qualname__ = point
    act.__doc__ = f"Ask the toy service to {point}."
    return act


def lookup_charge(ctx) -> Outcome:
    """Ask the toy bank whether the charge went through."""
    if not _service(ctx).lookup("charge", ctx.idempotency_key):
        return Outcome.NOT_HAPPENED
    ctx.state.charge_id = "found-by-reconcile"
    return Outcome.COMPLETED


def note_hook(name: str):
    def hook(ctx) -> None:
        _service(ctx).call(name, ctx.idempotency_key)

    hook.__qualname__ = name
    return hook


# reserve: idempotent; charge: reconcilable; pack: idempotent; ship: neither.
TOY_ORDER = register(
    Saga(
        "toy-order",
        [
            Step(
                "reserve",
                _effect("reserve", "reservation_id"),
                _effect("release"),
                idempotent=True,
                retry=FAST,
                compensation_retry=UNDO,
                saves=("reservation_id",),
            ),
            Step(
                "charge",
                _effect("charge", "charge_id"),
                _effect("refund"),
                reconcile=lookup_charge,
                retry=PATIENT,
                compensation_retry=UNDO,
                saves=("charge_id",),
                effects=(
                    Effect("payment", "a toy charge", "step key"),
                    Effect("queue", "event `toy.charged`"),
                ),
            ),
            Step(
                "pack",
                _effect("pack", "package_id"),
                _effect("unpack"),
                idempotent=True,
                retry=FAST,
                compensation_retry=UNDO,
            ),
            Step(
                "ship",
                _effect("ship", "shipment_id"),
                _effect("unship"),
                retry=FAST,
                compensation_retry=UNDO,
            ),
        ],
        OrderState,
        on_completed=note_hook("hook-completed"),
        on_compensated=note_hook("hook-compensated"),
    )
)


def _fanout(name: str, *, idempotent: bool) -> Saga:
    """A parallel group of three between two plain steps."""
    return Saga(
        name,
        [
            Step("prepare", _effect("prepare"), _effect("unprepare"), retry=FAST),
            Parallel(
                "fanout",
                [
                    Step(
                        member,
                        _effect(member, attribute),
                        _effect(f"un{member}"),
                        idempotent=idempotent,
                        retry=FAST,
                        compensation_retry=UNDO,
                    )
                    for member, attribute in [
                        ("alpha", "reservation_id"),
                        ("beta", "charge_id"),
                        ("gamma", "package_id"),
                    ]
                ],
            ),
            Step("finish", _effect("finish", "shipment_id"), retry=FAST),
        ],
        OrderState,
    )


# Members recovery cannot repeat: each is bookkept on its own.
TOY_FANOUT = register(_fanout("toy-fanout", idempotent=False))
# Members recovery can repeat: started and completed as one group.
TOY_FANOUT_REPEATABLE = register(_fanout("toy-fanout-repeatable", idempotent=True))

# A pivot followed by retriable-only steps, one of them best effort.
TOY_PIVOT = register(
    Saga(
        "toy-pivot",
        [
            Step(
                "charge", _effect("charge", "charge_id"), _effect("refund"), retry=FAST
            ),
            Step("ship", _effect("ship", "shipment_id"), _effect("unship"), retry=FAST),
            Step(
                "email",
                _effect("email"),
                retriable_only=True,
                best_effort=True,
                retry=FAST,
            ),
            Step("receipt", _effect("receipt"), retriable_only=True, retry=FAST),
        ],
        OrderState,
        pivot="ship",
    )
)

# One reconcilable step with a short per-attempt timeout.
TOY_SLOW = register(
    Saga(
        "toy-slow",
        [
            Step(
                "charge",
                _effect("charge", "charge_id"),
                _effect("refund"),
                reconcile=lookup_charge,
                timeout=0.2,
                retry=FAST,
            )
        ],
        OrderState,
    )
)
