"""Map every API error to an RFC 9457 ``application/problem+json`` response.

One place decides how errors look on the wire: application errors carry their own
stable ``code`` and status; DRF's errors get codes derived from their kind; errors
Django answers before or after DRF (a body too large, an unknown URL, a crash)
get the same shape under ``/api/``. A server error says nothing about the code
that failed.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from rest_framework import exceptions as drf_exceptions
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from config.outages import outage_for
from problems.errors import ApplicationError
from problems.responses import problem_response

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
SERVER_ERROR_TITLE = "Something went wrong on our side; the request can be retried."
BAD_REQUEST_TITLE = "The request could not be understood."
TOO_LARGE_TITLE = "The request body is too large."
NOT_FOUND_TITLE = "Nothing is found at this address."
FORBIDDEN_TITLE = "You are not allowed to do this."
# A page without the database: it must not load a user, a session or messages.
OUTAGE_TEMPLATE = "503.html"

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


def api_exception_handler(
    exc: Exception, context: dict[str, Any]
) -> HttpResponse | None:
    """Return the problem+json response for ``exc`` (DRF's EXCEPTION_HANDLER)."""
    if isinstance(exc, ApplicationError):
        set_rollback()
        return application_error_response(exc)
    # DRF answers Django's Http404 and PermissionDenied as its own NotFound and
    # PermissionDenied; convert first so that they get those codes too.
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # Unexpected: Django's handler500 answers without details.
    code = next(
        (code for cls, code in DRF_CODES.items() if isinstance(exc, cls)),
        getattr(exc, "default_code", "error"),
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


def application_error_response(error: ApplicationError) -> HttpResponse:
    """Return the problem+json response of an application error."""
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return problem_response(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.message,
        headers=headers,
        **error.extra,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer a request Django refused (handler400): 413 for a body too large."""
    if not request.path.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return problem_response(
            status=413, code="request_too_large", title=TOO_LARGE_TITLE
        )
    return problem_response(status=400, code="bad_request", title=BAD_REQUEST_TITLE)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer a PermissionDenied raised outside DRF (handler403)."""
    if not request.path.startswith(API_PREFIX):
        return defaults.permission_denied(request, exception)
    return problem_response(status=403, code="permission_denied", title=FORBIDDEN_TITLE)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer an address no route matches (handler404)."""
    if not request.path.startswith(API_PREFIX):
        return defaults.page_not_found(request, exception)
    return problem_response(status=404, code="not_found", title=NOT_FOUND_TITLE)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an unhandled error: problem+json under /api/, Django's page elsewhere.

    A dependency that is down (config.outages) is answered 503 with Retry-After
    instead. Django calls this view while it handles the exception, anywhere
    from the first middleware to the view, so ``sys.exc_info()`` still holds
    it: the one place that sees them all.
    """
    outage = outage_for(sys.exc_info()[1])
    api = request.path.startswith(API_PREFIX)
    if outage is not None:
        if api:
            return application_error_response(outage)
        response = render(request, OUTAGE_TEMPLATE, {"outage": outage}, status=503)
        response["Retry-After"] = str(outage.retry_after)
        return response
    if api:
        return problem_response(
            status=500, code="server_error", title=SERVER_ERROR_TITLE
        )
    return defaults.server_error(request)
