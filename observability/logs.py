"""What every JSON log line carries besides its message: the request, the trace."""

from __future__ import annotations

import logging

from opentelemetry import trace

from observability.request_ids import request_id_get


class RequestContextFilter(logging.Filter):
    """Add ``request_id`` to every record, and its trace and span when traced.

    A filter of the handler, so it sees every line, whichever logger wrote it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        # Django reports a request's 4xx and 5xx once the middleware is done,
        # outside the request id's context, with the request in ``extra``.
        request = getattr(record, "request", None)
        record.request_id = request_id_get() or getattr(request, "request_id", None)
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = trace.format_trace_id(context.trace_id)
            record.span_id = trace.format_span_id(context.span_id)
        return True
