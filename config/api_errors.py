"""Map every API error to an RFC 9457 ``application/problem+json`` response.

One place decides how errors look on the wire: application errors carry their own
stable ``code`` and status; DRF's errors get codes derived from their kind; anything
unexpected is a 500 that says nothing about the code that failed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views import defaults
from rest_framework import exceptions as drf_exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import ApplicationError
from config.problems import problem_response

logger = logging.getLogger(__name__)

SERVER_ERROR_TITLE = "Something went wrong on our side; the request can be retried."

# DRF's own errors, by class, to the stable codes clients match on.
DRF_CODES: dict[type[drf_exceptions.APIException], str] = {
    drf_exceptions.ValidationError: "invalid_request",
    drf_exceptions.ParseError: "malformed_request",
    drf_exceptions.NotAuthenticated: "not_authenticated",
    drf_exceptions.AuthenticationFailed: "authentication_failed",
    drf_exceptions.PermissionDenied: "permission_denied",
    drf_exceptions.NotFound: "not_found",
    drf_exceptions.MethodNotAllowed: "method_not_allowed",
    drf_exceptions.NotAcceptable: "not_acceptable",
    drf_exceptions.UnsupportedMediaType: "unsupported_media_type",
    drf_exceptions.Throttled: "throttled",
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse | None:
    """Return the problem+json response for ``exc`` (DRF's EXCEPTION_HANDLER)."""
    if isinstance(exc, ApplicationError):
        return problem_response(
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.message,
            **exc.extra,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # Unexpected: Django's handler500 answers without details.
    code = next(
        (code for cls, code in DRF_CODES.items() if isinstance(exc, cls)), "error"
    )
    extra: dict[str, Any] = {}
    if isinstance(exc, drf_exceptions.ValidationError):
        extra["errors"] = response.data
        detail = "The request body is not valid; see errors."
    else:
        detail = str(getattr(exc, "detail", exc))
    headers = {
        name: response[name]
        for name in ("Retry-After", "WWW-Authenticate", "Allow")
        if response.has_header(name)
    }
    return problem_response(
        status=response.status_code,
        code=code,
        title=response.status_text,
        detail=detail,
        headers=headers,
        **extra,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an unhandled error: problem+json under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return problem_response(
            status=500, code="server_error", title=SERVER_ERROR_TITLE
        )
    return defaults.server_error(request)
