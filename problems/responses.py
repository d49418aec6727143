"""RFC 9457 problem details: the one shape every error response of the API takes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from observability.request_ids import request_id_get

PROBLEM_CONTENT_TYPE = "application/problem+json"
DEFAULT_PROBLEM_TYPE_BASE = "/problems/"

# Members the RFC defines, and ours every problem has; an extension member may
# not silently replace them.
STANDARD_MEMBERS = frozenset(
    {"type", "title", "status", "detail", "code", "request_id"}
)


def problem_type(code: str) -> str:
    """Return the ``type`` URI of the problem identified by ``code``.

    RFC 9457 accepts a relative reference when it carries the full path; the base
    is the ``PROBLEM_TYPE_BASE`` setting (default ``/problems/``).
    """
    return f"{getattr(settings, 'PROBLEM_TYPE_BASE', DEFAULT_PROBLEM_TYPE_BASE)}{code}"


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str = "",
    headers: Mapping[str, str] | None = None,
    type_uri: str | None = None,
    **extra: Any,
) -> HttpResponse:
    """Return an ``application/problem+json`` response.

    ``code`` is the stable, machine-readable name clients match on; ``title`` is a
    short summary that does not change between occurrences; ``detail`` (omitted
    when empty) explains this occurrence. ``extra`` becomes extension members.
    ``request_id`` names the request, as its ``X-Request-ID`` header and its
    log lines do: what a client quotes to support.
    """
    clashing = STANDARD_MEMBERS.intersection(extra)
    if clashing:
        raise ValueError(f"Extension members clash with standard ones: {clashing}")
    body: dict[str, Any] = {
        "type": type_uri or problem_type(code),
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body["code"] = code
    request_id = request_id_get()
    if request_id is not None:  # None: not answering a request (a test, a task)
        body["request_id"] = request_id
    body.update(extra)
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )
