"""The engine's tracing hook: no tracer, no spans; with one, a span tree per run.

These tests install a tracer written here, with no tracing library: the
engine must work, and trace, without OpenTelemetry.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pytest

from sagas.definition import Parallel, Saga, Step
from sagas.exceptions import CompensationError
from sagas.models import SagaRun
from sagas.services import saga_recover, saga_start
from sagas.tracing import NullTracer, get_tracer, use_tracer
from tests.sagas.toys import FAST, OrderState

pytestmark = pytest.mark.django_db

_ids = itertools.count(1)


@dataclass
class Recorded:
    """One span as the recording tracer saw it."""

    name: str
    attributes: dict[str, Any]
    parent: Recorded | None
    links: list[Mapping[str, str]]
    trace: str
    id: int = field(default_factory=lambda: next(_ids))
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    error: BaseException | str | None = None

    def set(self, attributes: Mapping[str, Any]) -> None:
        self.attributes.update(attributes)

    def event(self, name: str, attributes: Mapping[str, Any]) -> None:
        self.events.append((name, dict(attributes)))

    def fail(self, error: BaseException | str) -> None:
        self.error = error


class RecordingTracer:
    """A tracer keeping every span in memory, its current one in a ContextVar."""

    def __init__(self, trace: str = "a" * 32) -> None:
        self.trace = trace
        self.spans: list[Recorded] = []
        self.current: ContextVar[Recorded | None] = ContextVar("span", default=None)

    @contextmanager
    def span(
        self,
        name: str,
        attributes: Mapping[str, Any],
        *,
        parent: Recorded | None = None,
        links: Sequence[Mapping[str, str]] = (),
    ) -> Iterator[Recorded]:
        span = Recorded(
            name,
            dict(attributes),
            parent or self.current.get(),
            list(links),
            self.trace,
        )
        self.spans.append(span)
        token = self.current.set(span)
        try:
            yield span
        except BaseException as error:
            span.error = error
            raise
        finally:
            self.current.reset(token)

    def event(self, name: str, attributes: Mapping[str, Any]) -> None:
        current = self.current.get()
        if current is not None:
            current.event(name, attributes)

    def context(self) -> dict[str, str]:
        current = self.current.get()
        return {"traceparent": f"00-{self.trace}-{current.id:016x}-01"}

    def named(self, name: str) -> list[Recorded]:
        return [span for span in self.spans if span.name == name]

    def children(self, span: Recorded) -> list[str]:
        return [child.name for child in self.spans if child.parent is span]


@pytest.fixture
def tracer() -> Iterator[RecordingTracer]:
    with use_tracer(RecordingTracer()) as recording:
        yield recording


def test_without_a_tracer_a_run_opens_nothing_and_stores_no_context(state):
    """The default tracer is a no-op: the run completes with an empty context."""
    assert isinstance(get_tracer(), NullTracer)

    result = saga_start(saga="toy-order", operation_id="op-1", state=state)

    assert result.run.status == SagaRun.Status.COMPLETED
    assert SagaRun.objects.get().trace_context == {}


def test_a_run_is_a_span_with_a_span_per_step_and_one_per_attempt(tracer, state):
    """run > step > attempt, in the order they ran, each with its key."""
    saga_start(saga="toy-order", operation_id="op-1", state=state)

    (run,) = tracer.named("saga.run toy-order")
    assert tracer.children(run) == [
        "saga.step reserve",
        "saga.step charge",
        "saga.step pack",
        "saga.step ship",
        "saga.hook on_completed",
    ]
    (charge,) = tracer.named("saga.step charge")
    assert tracer.children(charge) == ["saga.attempt charge"]
    (attempt,) = tracer.named("saga.attempt charge")
    assert attempt.attributes == {
        "saga.step": "charge",
        "saga.attempt": 1,
        "saga.idempotency_key": "toy-order:op-1:charge",
        "saga.outcome": "completed",
    }
    assert charge.attributes["saga.status"] == "completed"
    assert run.attributes["saga.status"] == SagaRun.Status.COMPLETED


def test_retries_are_attempt_spans_with_their_delays_and_step_events(
    tracer, state, service, clock
):
    """Each failed attempt says its outcome and the pause chosen after it."""
    service.fail("charge", "transient:2")

    saga_start(saga="toy-order", operation_id="op-1", state=state)

    attempts = tracer.named("saga.attempt charge")
    assert [a.attributes["saga.outcome"] for a in attempts] == [
        "failed",
        "failed",
        "completed",
    ]
    delays = [a.attributes.get("saga.retry_delay") for a in attempts]
    assert delays == [round(d, 3) for d in clock.delays] + [None]
    assert all(isinstance(a.error, ConnectionError) for a in attempts[:2])
    (charge,) = tracer.named("saga.step charge")
    assert [name for name, _ in charge.events] == ["attempt_failed", "attempt_failed"]
    assert charge.events[0][1]["saga.delay"] == round(clock.delays[0], 3)


def test_compensations_are_spans_in_reverse_order_with_the_undo_keys(
    tracer, state, service
):
    """Shipping fails: pack, charge and reserve are undone, last first."""
    service.fail("ship", "error")

    saga_start(saga="toy-order", operation_id="op-1", state=state)

    (run,) = tracer.named("saga.run toy-order")
    assert tracer.children(run)[-4:] == [
        "saga.compensate pack",
        "saga.compensate charge",
        "saga.compensate reserve",
        "saga.hook on_compensated",
    ]
    (undo,) = tracer.named("saga.compensate charge")
    assert undo.attributes["saga.idempotency_key"] == "toy-order:op-1:charge:undo"
    assert [name for name, _ in undo.events] == ["compensation_started", "compensated"]
    forward, backward = tracer.named("saga.attempt charge")
    assert (forward.parent.name, backward.parent) == ("saga.step charge", undo)
    assert backward.attributes["saga.idempotency_key"] == "toy-order:op-1:charge:undo"
    (ship,) = tracer.named("saga.step ship")
    assert ship.attributes["saga.status"] == "failed"
    assert [name for name, _ in run.events] == ["rolling_back"]


def test_a_compensation_that_keeps_failing_is_a_failed_span(tracer, state, service):
    service.fail("ship", "error")
    service.fail("refund", "error")

    with pytest.raises(CompensationError):
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    (undo,) = tracer.named("saga.compensate charge")
    assert isinstance(undo.error, CompensationError)
    assert [name for name, _ in undo.events][-2:] == ["compensation_failed", "review"]
    assert len(tracer.children(undo)) == 4  # its policy's attempts


def test_a_lost_answer_is_reconciled_inside_its_attempt(tracer, state, service):
    """The charge times out; the reconcile span says what the bank saw."""
    service.fail("charge", "timeout")

    saga_start(saga="toy-order", operation_id="op-1", state=state)

    (attempt,) = tracer.named("saga.attempt charge")
    (reconcile,) = tracer.named("saga.reconcile charge")
    assert reconcile.parent is attempt
    assert reconcile.attributes["saga.outcome"] == "completed"
    assert attempt.attributes["saga.outcome"] == "completed"
    assert [name for name, _ in attempt.events] == ["reconciled"]


def test_the_run_stores_its_context_and_a_resumed_run_links_to_it(
    state, service, clock
):
    """Recorded in one trace, resumed by the sweeper in another: linked."""
    first, second = RecordingTracer("1" * 32), RecordingTracer("2" * 32)
    with use_tracer(first):
        saga_start(saga="toy-order", operation_id="op-1", state=state, execute=False)
    stored = SagaRun.objects.get().trace_context
    (start,) = first.named("saga.start toy-order")
    assert stored == {"traceparent": f"00-{'1' * 32}-{start.id:016x}-01"}

    clock.advance(3600)
    with use_tracer(second):
        assert saga_recover() == 1

    (run,) = second.named("saga.run toy-order")
    assert run.links == [stored]
    assert [name for name, _ in run.events][:1] == ["takeover"]
    assert SagaRun.objects.get().trace_id == "1" * 32


def _inner_span(ctx) -> None:
    with get_tracer().span("inner", {}):
        pass


FANOUT = Saga(
    "toy-traced-fanout",
    [
        Parallel(
            "group",
            [Step(name, _inner_span, retry=FAST) for name in ("left", "right")],
        ),
        Step("slow", _inner_span, retry=FAST, timeout=5),
    ],
    OrderState,
)


@pytest.mark.parametrize("executor", ["inline", "pool"])
def test_spans_opened_in_other_threads_belong_to_their_attempt(
    tracer, state, settings, executor
):
    """Members on a pool and calls with a timeout run in the attempt's context."""
    settings.SAGA_PARALLEL_EXECUTOR = executor

    saga_start(saga=FANOUT, operation_id="op-1", state=state)

    parents = sorted(span.parent.name for span in tracer.named("inner"))
    assert parents == ["saga.attempt left", "saga.attempt right", "saga.attempt slow"]
    (left,) = tracer.named("saga.step left")
    assert left.parent.name == "saga.run toy-traced-fanout"
    assert left.attributes["saga.group"] == "group"
