"""Traces in memory for the tests: the SDK's in-memory exporter, and how to read it.

``spans`` starts tracing as ``observability.tracing`` would, with the SDK's
``InMemorySpanExporter`` instead of a collector (spans exported as each one
ends), and stops it after the test. Start clients after it: Django's
instrumentation adds its middleware when tracing starts.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

from observability.tracing import tracing_start, tracing_stop


class Spans:
    """The spans a test produced, with the lookups its assertions need."""

    def __init__(self, exporter: InMemorySpanExporter) -> None:
        self.exporter = exporter

    def all(self) -> list[ReadableSpan]:
        """Return every finished span, in the order they started."""
        return sorted(self.exporter.get_finished_spans(), key=lambda s: s.start_time)

    def named(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.all() if span.name == name]

    def one(self, name: str) -> ReadableSpan:
        (span,) = self.named(name)
        return span

    def children(self, parent: ReadableSpan) -> list[ReadableSpan]:
        """Return the spans whose parent is ``parent``, in the order they started."""
        return [
            span
            for span in self.all()
            if span.parent is not None and span.parent.span_id == parent.context.span_id
        ]

    def parent_of(self, span: ReadableSpan) -> ReadableSpan | None:
        if span.parent is None:
            return None
        return next(
            (s for s in self.all() if s.context.span_id == span.parent.span_id), None
        )

    def trace_ids(self) -> set[int]:
        return {span.context.trace_id for span in self.all()}

    def clear(self) -> None:
        self.exporter.clear()


@pytest.fixture
def spans() -> Iterator[Spans]:
    """Trace into memory while the test runs."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing_start(provider=provider)
    try:
        yield Spans(exporter)
    finally:
        tracing_stop()
        provider.shutdown()
