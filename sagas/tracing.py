"""Spans of runs, steps and attempts, through a hook that does nothing by default.

The engine knows no tracing library. It opens its spans through the installed
``Tracer``: a run, each step inside it, each attempt inside its step, each
``reconcile`` and each compensation, and it adds its timeline's events to the
span that is current. Until a project installs a tracer (``set_tracer``, for
example one that makes OpenTelemetry spans), every call returns at once and
the engine runs as if it had no such hook.

A tracer works with the current span of this thread's context: the engine
carries that context into the threads it starts (a call with a timeout,
parallel members on a pool) with ``contextvars``, as any such library expects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol


class TraceSpan(Protocol):
    """One open span: the engine adds attributes and events, or marks it failed."""

    def set(self, attributes: Mapping[str, Any]) -> None: ...

    def event(self, name: str, attributes: Mapping[str, Any]) -> None: ...

    def fail(self, error: BaseException | str) -> None: ...


class Tracer(Protocol):
    """What the engine asks of a tracing library."""

    def span(
        self,
        name: str,
        attributes: Mapping[str, Any],
        *,
        parent: TraceSpan | None = None,
        links: Sequence[Mapping[str, str]] = (),
    ) -> Any:
        """Return a context manager that opens ``name`` as the current span.

        It yields the ``TraceSpan``; an exception that leaves the block marks
        the span failed. Its parent is ``parent`` if given, else the current
        span. ``links``
        are stored contexts (see ``context``) the span points to: the trace
        that recorded a run, when another trace resumes it.
        """
        ...

    def event(self, name: str, attributes: Mapping[str, Any]) -> None:
        """Add an event to the current span."""
        ...

    def context(self) -> dict[str, str]:
        """Return the current span's context as text to store with a run.

        A W3C Trace Context carrier (``traceparent``, ``tracestate``), or
        ``{}`` when nothing is traced.
        """
        ...


class _NullSpan:
    """A span that records nothing; also its own context manager."""

    def __enter__(self) -> _NullSpan:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None

    def set(self, attributes: Mapping[str, Any]) -> None:
        return None

    def event(self, name: str, attributes: Mapping[str, Any]) -> None:
        return None

    def fail(self, error: BaseException | str) -> None:
        return None


NULL_SPAN = _NullSpan()


class NullTracer:
    """The default: no spans, no context, nothing to pay."""

    def span(
        self,
        name: str,
        attributes: Mapping[str, Any],
        *,
        parent: TraceSpan | None = None,
        links: Sequence[Mapping[str, str]] = (),
    ) -> _NullSpan:
        return NULL_SPAN

    def event(self, name: str, attributes: Mapping[str, Any]) -> None:
        return None

    def context(self) -> dict[str, str]:
        return {}


_current: Tracer = NullTracer()


def get_tracer() -> Tracer:
    """Return the tracer the engine opens its spans with."""
    return _current


def set_tracer(tracer: Tracer | None) -> None:
    """Install ``tracer`` for every run from now on (None: no tracing)."""
    global _current
    _current = tracer if tracer is not None else NullTracer()


@contextmanager
def use_tracer(tracer: Tracer) -> Iterator[Tracer]:
    """Make runs inside the block open their spans with ``tracer``."""
    previous = _current
    set_tracer(tracer)
    try:
        yield tracer
    finally:
        set_tracer(previous)
