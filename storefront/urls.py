"""URLs of the demo storefront."""

from django.urls import path

from storefront import views

app_name = "storefront"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("lab/", views.lab, name="lab"),
    path("docs/<slug:name>/", views.chapter, name="chapter"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<str:order_id>/", views.order_detail, name="order"),
    path("orders/<str:order_id>/cancel/", views.order_cancel_view, name="cancel"),
    path("orders/<str:order_id>/returns/", views.order_return_view, name="return"),
]
