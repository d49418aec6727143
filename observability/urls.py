"""Route of the scrape endpoint, mounted at the site's root."""

from __future__ import annotations

from django.urls import path

from observability import views

urlpatterns = [path("metrics", views.metrics, name="metrics")]
