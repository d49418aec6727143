"""The Prometheus scrape endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from observability.exposition import metrics_render


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Answer with every metric in the Prometheus (or OpenMetrics) text format."""
    body, content_type = metrics_render(accept=request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)
