"""The service's URL map: admin, API, API docs, probes, storefront."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config import health
from config.api_auth import TokenObtainApi
from config.api_docs import ApiDocsView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("api/", include("orders.urls")),
    path("api/", include("aftersales.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("observability.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("storefront.urls")),
]

# Under /api/ every error is problem+json, also those Django answers itself.
handler400 = "config.api_errors.bad_request"
handler403 = "config.api_errors.permission_denied"
handler404 = "config.api_errors.page_not_found"
handler500 = "config.api_errors.server_error"
