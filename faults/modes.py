"""The fault points of the external services and the modes a fault can take."""

from __future__ import annotations

from dataclasses import dataclass

FAULT_POINTS = (
    "payments.charge",
    "payments.refund",
    "warehouse.hold",
    "warehouse.confirm",
    "warehouse.release",
    "warehouse.restock",
    "shipping.create",
    "shipping.cancel",
    "shipping.return_book",
    "shipping.return_receive",
    "shipping.return_cancel",
    "payments.return_refund",
    "notifications.email",
    "notifications.sms",
    "notifications.push",
)

ERROR = "error"
TRANSIENT = "transient"
TIMEOUT = "timeout"
LATENCY = "latency"
CRASH = "crash"

FAULT_MODES = ("error", "transient", "transient:N", "timeout", "latency:MS", "crash")

# A worker task is killed after Q_CLUSTER's timeout (60 s): keep injected latency
# well below it, or "latency" would turn into a lost task.
MAX_LATENCY_MS = 30_000


@dataclass(frozen=True)
class FaultMode:
    """One parsed mode: its kind and, where it has one, its number."""

    kind: str
    # How many times the fault fires: transient:N fires N times; timeout and
    # crash fire once (a lost answer, a dead worker), so a retry or a recovered
    # run gets through; error fires every time (None).
    times: int | None = None
    milliseconds: int = 0


def mode_parse(text: str) -> FaultMode:
    """Return the ``FaultMode`` written as ``text``; raise ValueError if invalid."""
    kind, _, argument = str(text).strip().partition(":")
    if kind == ERROR and not argument:
        return FaultMode(kind=ERROR)
    if kind in (TIMEOUT, CRASH) and not argument:
        return FaultMode(kind=kind, times=1)
    if kind == TRANSIENT:
        times = _positive_int(argument or "1", upper=1000)
        return FaultMode(kind=TRANSIENT, times=times)
    if kind == LATENCY and argument:
        milliseconds = _positive_int(argument, upper=MAX_LATENCY_MS, allow_zero=True)
        return FaultMode(kind=LATENCY, milliseconds=milliseconds)
    raise ValueError(f"unknown fault mode {text!r}; valid: {', '.join(FAULT_MODES)}")


def _positive_int(text: str, *, upper: int, allow_zero: bool = False) -> int:
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    value = int(text)
    if value < (0 if allow_zero else 1) or value > upper:
        raise ValueError(f"{value} is out of range (at most {upper})")
    return value
