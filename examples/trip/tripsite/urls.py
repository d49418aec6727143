"""The example's URLs: the admin, where the engine's review queue lives."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
