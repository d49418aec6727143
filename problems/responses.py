"""RFC 9457 problem details: the one shape every error response of the API takes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
DEFAULT_PROBLEM_TYPE_BASE = "/problems/"

# Members the RFC defines; an extension member may not silently replace them.
STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "code"})


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
    body.update(extra)
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )
