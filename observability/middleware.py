"""Give every request its id (``observability.request_ids``) and answer with it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from opentelemetry import trace

from observability.request_ids import HEADER, request_id_for, request_id_used


class RequestIdMiddleware:
    """Set the request's id for everything it runs; return it in ``X-Request-ID``.

    First in ``MIDDLEWARE`` (after OpenTelemetry's, which opens the request
    span): every response, an error page included, is answered from inside it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_for(request.headers)
        request.request_id = request_id
        # A client's own id is searchable on its trace too.
        trace.get_current_span().set_attribute("request.id", request_id)
        with request_id_used(request_id):
            response = self.get_response(request)
        response[HEADER] = request_id
        return response
