"""OpenTelemetry traces, when they are on: the provider and the helpers that use it.

Off by default: ``settings.TRACING`` names no exporter, nothing is set up, and
every helper here returns at once, so that tracing off costs nothing that can
be measured (``bench/tracing.py``). On (``OTEL_TRACES_EXPORTER=console`` or
``otlp``), ``tracing_start`` installs one tracer provider for this project's
spans: Django's request spans (the official instrumentation), the saga
engine's (``observability.saga_spans``), the client spans of the calls to the
processor, the carrier and the channels, and the outbox relay's.

Contexts cross process boundaries as W3C Trace Context text (``traceparent``):
with a django-q2 task (``observability.task_context``), on a saga run's row
and on each outbox message, so that a worker, a sweeper or a relay can go on
with (or link to) the trace that wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from opentelemetry.trace import Link, SpanKind

# Requests nobody wants a trace of: probes, scrapes, files.
EXCLUDED_URLS = "/healthz,/readyz,/metrics,/static/,/favicon.ico"
INSTRUMENTATION = "order-service"

_provider: TracerProvider | None = None
_tracer: trace.Tracer = trace.NoOpTracer()


def tracing_enabled() -> bool:
    """Return whether spans are being recorded in this process."""
    return _provider is not None


def tracing_configure() -> None:
    """Start tracing as the settings say (from ``AppConfig.ready``); else do nothing."""
    config = settings.TRACING
    exporters = list(_exporters(config))
    if not exporters:
        return
    provider = TracerProvider(
        resource=Resource.create({"service.name": config["service_name"]})
    )
    for exporter in exporters:
        # Batches leave from a thread of their own: a request never waits for
        # a collector. The SDK re-creates that thread in forked workers.
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    tracing_start(provider=provider)


def _exporters(config: Mapping[str, Any]) -> Iterator[SpanExporter]:
    for name in config["exporters"]:
        if name == "console":
            yield ConsoleSpanExporter()
        elif name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                OTLPSpanExporter,
            )

            yield OTLPSpanExporter(endpoint=config["otlp_endpoint"])


def tracing_start(*, provider: TracerProvider) -> None:
    """Record spans with ``provider``: requests, saga runs, external calls, relays.

    Django's instrumentation adds its middleware first in ``MIDDLEWARE``, so
    it must run before the handler loads the middleware (``AppConfig.ready``
    does; tests start a fresh client).
    """
    global _provider, _tracer
    from opentelemetry.instrumentation.django import DjangoInstrumentor

    from observability.saga_spans import SagaSpans
    from sagas.api import set_tracer

    _provider, _tracer = provider, provider.get_tracer(INSTRUMENTATION)
    DjangoInstrumentor().instrument(
        tracer_provider=provider, excluded_urls=EXCLUDED_URLS
    )
    set_tracer(SagaSpans(tracer()))


def tracing_stop() -> None:
    """Stop recording spans (tests): the engine and Django record none again."""
    global _provider, _tracer
    from opentelemetry.instrumentation.django import DjangoInstrumentor

    from sagas.api import set_tracer

    DjangoInstrumentor().uninstrument()
    set_tracer(None)
    _provider, _tracer = None, trace.NoOpTracer()


def tracer() -> trace.Tracer:
    """Return the tracer of this project's spans (one that records none when off)."""
    return _tracer


def context_carrier() -> dict[str, str]:
    """Return the current span's context as W3C headers ({} when nothing is traced)."""
    carrier: dict[str, str] = {}
    if _provider is not None:
        propagate.inject(carrier)
    return carrier


def context_from(carrier: Mapping[str, str] | None) -> Context:
    """Return the context ``carrier`` holds, on an empty base (no implicit parent).

    A context read from a task or a row must not silently adopt whatever span
    this thread happens to have current: it stands alone, valid or empty.
    """
    return propagate.extract(dict(carrier or {}), context=Context())


def links_to(carriers: Iterable[Mapping[str, str] | None]) -> list[Link]:
    """Return a link to each stored context that is valid and not this trace's own.

    A span already in that trace reaches it through its parents; a link would
    only repeat it.
    """
    current = trace.get_current_span().get_span_context()
    links = []
    for carrier in carriers:
        remote = trace.get_current_span(context_from(carrier)).get_span_context()
        if remote.is_valid and remote.trace_id != current.trace_id:
            links.append(Link(remote))
    return links


@contextmanager
def client_span(
    name: str,
    *,
    peer: str,
    idempotency_key: str = "",
    link: Mapping[str, str] | None = None,
    **attributes: Any,
) -> Iterator[None]:
    """Trace a call to another system (``peer``) as a client span, when tracing is on.

    ``idempotency_key``: the key the call sends, which the other system
    records too; with it a trace and the other system's logs meet. ``link``:
    a stored context the call is about (an outbox message's).
    """
    if _provider is None:
        yield
        return
    attributes = {"peer.service": peer, **attributes}
    if idempotency_key:
        attributes["idempotency_key"] = idempotency_key
    with tracer().start_as_current_span(
        name, kind=SpanKind.CLIENT, attributes=attributes, links=links_to([link])
    ):
        yield


@contextmanager
def consumer_span(
    name: str, *, link: Mapping[str, str] | None, attributes: Mapping[str, Any]
) -> Iterator[None]:
    """Trace the processing of a stored message, linked to the span that wrote it.

    A link, not a parent: the relay's work belongs to its own trace (its task,
    its batch), and points to the request or saga step that wrote the message.
    """
    if _provider is None:
        yield
        return
    with tracer().start_as_current_span(
        name, kind=SpanKind.CONSUMER, attributes=attributes, links=links_to([link])
    ):
        yield
