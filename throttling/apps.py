"""Rate limits counted in the shared cache: checkouts, password guesses."""

from __future__ import annotations

from django.apps import AppConfig


class ThrottlingConfig(AppConfig):
    name = "throttling"
    verbose_name = "Throttling"
