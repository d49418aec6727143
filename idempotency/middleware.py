"""Idempotency-Key middleware: run an unsafe API request once, replay it after.

Which requests it handles: POST, PUT, PATCH and DELETE under ``/api/``, except
the IDEMPOTENCY_EXEMPT_PATHS (default: the token endpoint), from an
authenticated user (anonymous requests pass through; the view answers 401).
The header is required on POST to the IDEMPOTENCY_REQUIRED_PATHS (default:
``/api/orders/``) and optional elsewhere. The header is one Structured Field
String or a bare key (``idempotency.headers``); a repeated header is refused.

Which responses are stored and replayed (the rest release the key so that the
client can retry with it):

- 2xx, 3xx and 4xx: the outcome of the request, success or business refusal.
  A client that fixes a refused body sends it with a new key.
- not 401, 403: they depend on credentials and permissions, which can change;
  a forged cross-site request refused with 403 must not keep the victim's key.
- not 408, 425, 429: "try again later" is not the outcome of the request.
- not 5xx: the server failed; the client should be able to retry.
- not streaming responses: they have no body to store.

Which headers are stored: Content-Type, Content-Language, Location and Link, the
ones that describe the result. Set-Cookie is never stored: a replay must not
hand out a session or CSRF cookie again. Headers that other middleware adds
(security headers, Content-Length) are added to a replay by that middleware.

The middleware runs before DRF checks CSRF for session users. That is safe: a
replay, a 409 or a 422 changes nothing, a cross-site page cannot read them, and
a forged first use is refused by the view with 403, which releases the key.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from idempotency.exceptions import (
    IdempotencyError,
    IdempotencyKeyInProgress,
    IdempotencyKeyInvalid,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
)
from idempotency.headers import idempotency_key_parse
from idempotency.models import PATH_MAX_LENGTH, IdempotencyKey
from idempotency.scopes import request_scope
from idempotency.services import (
    idempotency_key_claim,
    idempotency_key_complete,
    idempotency_key_release,
)
from idempotency.signals import Outcome, idempotency_outcome
from problems.responses import problem_response

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/"
DEFAULT_EXEMPT_PATHS = ("/api/auth/token/",)
DEFAULT_REQUIRED_PATHS = ("/api/orders/",)
STORED_HEADERS = ("Content-Type", "Content-Language", "Location", "Link")
NOT_STORED_STATUSES = frozenset({401, 403, 408, 425, 429})

logger = logging.getLogger(__name__)

ERROR_OUTCOMES = {
    IdempotencyKeyMissing: Outcome.MISSING,
    IdempotencyKeyInvalid: Outcome.INVALID,
    IdempotencyKeyReused: Outcome.MISMATCH,
    IdempotencyKeyInProgress: Outcome.CONFLICT,
}


def is_replayable(response: HttpResponseBase) -> bool:
    """Return whether ``response`` is stored and replayed for later retries."""
    return (
        not response.streaming
        and 200 <= response.status_code < 500
        and response.status_code not in NOT_STORED_STATUSES
    )


def request_fingerprint(request: HttpRequest) -> str:
    """Return the SHA-256 hex digest of the raw request body."""
    return hashlib.sha256(request.body).hexdigest()


def replay_response(record: IdempotencyKey) -> HttpResponse:
    """Rebuild the stored response byte for byte, marked as a replay."""
    response = HttpResponse(bytes(record.response_body), status=record.response_status)
    if "Content-Type" not in record.response_headers:
        del response["Content-Type"]  # a 204 had none; do not invent one
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def error_response(error: IdempotencyError) -> HttpResponse:
    """Return the problem+json response for a refused request."""
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return problem_response(
        status=error.status,
        code=error.code,
        title=error.title,
        # The title already says it all unless the error has more to say.
        detail=error.message if error.message != error.title else "",
        headers=headers,
    )


class IdempotencyKeyMiddleware:
    """Claim the request's Idempotency-Key before the view, store the response after."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if not self.applies_to(request, path):
            return self.get_response(request)
        key = request.headers.get(HEADER)
        required = request.method == "POST" and path in getattr(
            settings, "IDEMPOTENCY_REQUIRED_PATHS", DEFAULT_REQUIRED_PATHS
        )
        if key is None and not required:
            return self.get_response(request)
        scope = request_scope(request)
        if scope is None:
            return self.get_response(request)
        try:
            if key is None:
                raise IdempotencyKeyMissing()
            claim = idempotency_key_claim(
                scope=scope,
                method=request.method,
                path=path,
                key=idempotency_key_parse(key),
                fingerprint=request_fingerprint(request),
            )
        except IdempotencyError as error:
            self.emit(ERROR_OUTCOMES.get(type(error)), request, path)
            return error_response(error)
        self.emit(claim.outcome, request, path)
        if claim.replay:
            return replay_response(claim.record)
        return self.run_view(request, claim.record)

    def applies_to(self, request: HttpRequest, path: str) -> bool:
        """Return whether the request is an unsafe, non-exempt API call."""
        exempt = getattr(settings, "IDEMPOTENCY_EXEMPT_PATHS", DEFAULT_EXEMPT_PATHS)
        return (
            request.method in UNSAFE_METHODS
            and path.startswith(API_PREFIX)
            and path not in exempt
            # A longer path does not fit the unique index (bytes, not characters,
            # count there); no API route is that long, so the router answers 404.
            and len(path.encode()) <= PATH_MAX_LENGTH
        )

    def run_view(
        self, request: HttpRequest, record: IdempotencyKey
    ) -> HttpResponseBase:
        """Run the view for a claimed key; store its response or release the key."""
        try:
            response = self.get_response(request)
        except BaseException:
            # A worker being shut down mid-request: free the key at once instead
            # of making the client wait for the lock to expire.
            idempotency_key_release(record=record)
            raise
        if not is_replayable(response):
            idempotency_key_release(record=record)
            return response
        try:
            idempotency_key_complete(
                record=record,
                response_status=response.status_code,
                response_body=response.content,
                response_headers={
                    name: response[name] for name in STORED_HEADERS if name in response
                },
            )
        except DatabaseError:
            # The view's work is done and its client should hear so. The claim
            # expires with its lock and a retry runs the view again, which is why
            # views behind this middleware stay idempotent on their own as well.
            logger.exception("Could not store the response of key %s", record.pk)
        return response

    def emit(self, outcome: Outcome | None, request: HttpRequest, path: str) -> None:
        """Announce the outcome to metrics listeners."""
        if outcome is not None:
            idempotency_outcome.send(
                sender=type(self), outcome=outcome, method=request.method, path=path
            )
