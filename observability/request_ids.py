"""Request ids: one per request, taken from the client's headers or made here.

A request's id is the client's ``X-Request-ID`` when it sends a valid one;
else the trace id of its trace: the one the client's ``traceparent`` names,
or the one the request span began; else a new one of the same form (32 hex
digits). The id is in the response's ``X-Request-ID``, in every problem+json
body and in every log line written while the request (or a task it queued)
runs, so that one id finds an order's whole story.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

HEADER = "X-Request-ID"
# Visible characters that are safe in a header, a log line and a URL.
VALID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_traceparent = TraceContextTextMapPropagator()


def request_id_get() -> str | None:
    """Return the id of the request (or task) this code runs for, if any."""
    return _request_id.get()


def request_id_for(headers: Mapping[str, str]) -> str:
    """Return the id of a request with these headers (see the module docstring)."""
    given = headers.get(HEADER, "")
    if VALID.fullmatch(given):
        return given
    current = trace.get_current_span().get_span_context()
    if current.is_valid:  # tracing is on: the request's trace, continued or new
        return trace.format_trace_id(current.trace_id)
    # Parsed by the W3C propagator, which refuses malformed or all-zero ids.
    sent = trace.get_current_span(_traceparent.extract(headers)).get_span_context()
    if sent.is_valid:
        return trace.format_trace_id(sent.trace_id)
    return uuid.uuid4().hex


@contextmanager
def request_id_used(request_id: str | None) -> Iterator[str | None]:
    """Make ``request_id`` the current one inside the block."""
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)
