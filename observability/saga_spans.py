"""The saga engine's spans as OpenTelemetry spans: its tracing hook, filled in.

The engine (``sagas.tracing``) knows no tracing library; installed by
``observability.tracing`` when tracing is on, this class opens each of its
spans with OpenTelemetry, as the current span of the thread's context, so
that the client spans of a step's calls become the children of its attempt.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from observability.tracing import context_carrier, links_to


class SagaSpan:
    """One engine span: attributes, events and failure go to the OTel span."""

    def __init__(self, span: trace.Span) -> None:
        self.span = span

    def set(self, attributes: Mapping[str, Any]) -> None:
        self.span.set_attributes(_clean(attributes))

    def event(self, name: str, attributes: Mapping[str, Any]) -> None:
        self.span.add_event(name, _clean(attributes))

    def fail(self, error: BaseException | str) -> None:
        if isinstance(error, BaseException):
            self.span.record_exception(error)
            description = f"{type(error).__name__}: {error}"
        else:
            description = error
        self.span.set_status(Status(StatusCode.ERROR, description))


class SagaSpans:
    """The engine's ``Tracer``, made of OpenTelemetry spans."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self.tracer = tracer

    @contextmanager
    def span(
        self,
        name: str,
        attributes: Mapping[str, Any],
        *,
        parent: SagaSpan | None = None,
        links: Sequence[Mapping[str, str]] = (),
    ) -> Iterator[SagaSpan]:
        context = trace.set_span_in_context(parent.span) if parent else None
        with self.tracer.start_as_current_span(
            name,
            context=context,
            attributes=_clean(attributes),
            links=links_to(links),
        ) as span:
            yield SagaSpan(span)

    def event(self, name: str, attributes: Mapping[str, Any]) -> None:
        trace.get_current_span().add_event(name, _clean(attributes))

    def context(self) -> dict[str, str]:
        return context_carrier()


def _clean(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``attributes`` as OpenTelemetry takes them: no None, text for the rest."""
    clean = {}
    for key, value in attributes.items():
        if value is None:
            continue
        clean[key] = (
            value if isinstance(value, str | bool | int | float) else str(value)
        )
    return clean
