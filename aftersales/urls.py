"""Routes of the returns API, mounted under /api/."""

from __future__ import annotations

from django.urls import path

from aftersales import api

urlpatterns = [
    path(
        "orders/<str:id>/returns/",
        api.ReturnListApi.as_view(),
        name="api-order-returns",
    ),
]
