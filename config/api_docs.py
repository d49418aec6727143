"""The interactive API docs: Swagger UI from local files, CSP-safe, switchable.

drf-spectacular's split view serves the page and its start-up script as two
responses, so the page holds no inline script; the template drops the inline
style too. API_DOCS_ENABLED = False answers 404: the schema at /api/schema/
stays, since clients generate their code from it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI for the API, or 404 when API_DOCS_ENABLED is off."""

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Read per request, not at import, so that settings decide at run time.
        if not settings.API_DOCS_ENABLED:
            raise Http404("The API docs are switched off.")
        return super().get(request, *args, **kwargs)
