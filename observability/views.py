"""The Prometheus scrape endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from observability.access import metrics_refusal
from observability.exposition import metrics_render

CHALLENGE = 'Bearer realm="metrics"'


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Answer with every metric in the Prometheus (or OpenMetrics) text format.

    Refused with 401 (and a Bearer challenge) or 403 unless the request may
    read them (observability.access).
    """
    refusal = metrics_refusal(request)
    if refusal is not None:
        response = HttpResponse(status=refusal)
        if refusal == 401:
            response["WWW-Authenticate"] = CHALLENGE
        return response
    body, content_type = metrics_render(accept=request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)
