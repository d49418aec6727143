"""The spans the runner opens: a step's, an attempt's, a reconcile's, an undo's.

Opened through the installed tracer (``sagas.tracing``), so they cost nothing
when none is. Their names say what ran (``saga.step charge-card``); their
attributes carry what a trace reader searches by: the step, the attempt, and
the idempotency key the call sent, which the other system saw too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sagas.definition import Step
from sagas.records import StepRecord
from sagas.tracing import TraceSpan, get_tracer


@contextmanager
def step_span(
    step: Step, record: StepRecord, *, parent: TraceSpan | None = None
) -> Iterator[TraceSpan]:
    """Open the span of one step (its attempts are its children)."""
    attributes = {
        "saga.step": step.name,
        "saga.rule": str(step.rule),
        "saga.idempotency_key": record.idempotency_key,
    }
    if record.group:
        attributes["saga.group"] = record.group
    with get_tracer().span(f"saga.step {step.name}", attributes, parent=parent) as span:
        yield span
        span.set({"saga.status": record.status, "saga.attempts": record.attempts})


def call_span(kind: str, step_name: str, *, attempt: int, key: str) -> Any:
    """Open the span of one call of a step: ``kind`` is attempt or reconcile."""
    attributes = {
        "saga.step": step_name,
        "saga.attempt": attempt,
        "saga.idempotency_key": key,
    }
    return get_tracer().span(f"saga.{kind} {step_name}", attributes)


def compensation_span(step_name: str, *, key: str) -> Any:
    """Open the span of one step's undo (its attempts are its children)."""
    attributes = {"saga.step": step_name, "saga.idempotency_key": key}
    return get_tracer().span(f"saga.compensate {step_name}", attributes)


def hook_span(name: str, *, parent: TraceSpan) -> Any:
    """Open the span of an end hook (``on_completed``, ``on_compensated``).

    A child of the run's span, ``parent``, even when it rides in the last
    step's recording.
    """
    return get_tracer().span(f"saga.hook {name}", {"saga.step": name}, parent=parent)


def span_failed(span: TraceSpan, error: BaseException | str, outcome: str) -> None:
    """Mark ``span`` failed with ``outcome`` and the error's stable code, if any."""
    code = getattr(error, "code", "")
    span.set({"saga.outcome": outcome, **({"saga.error_code": code} if code else {})})
    span.fail(error)
