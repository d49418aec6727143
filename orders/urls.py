"""Routes of the orders API, mounted under /api/."""

from __future__ import annotations

from django.urls import path

from orders import api

urlpatterns = [
    path("products/", api.ProductListApi.as_view(), name="api-product-list"),
    path("orders/", api.OrderListApi.as_view(), name="api-order-list"),
    path("orders/<str:id>/", api.OrderDetailApi.as_view(), name="api-order-detail"),
    path(
        "orders/<str:id>/cancel/",
        api.OrderCancelApi.as_view(),
        name="api-order-cancel",
    ),
]
