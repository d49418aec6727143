"""Fault injection: break the external services on purpose, per operation."""

from django.apps import AppConfig


class FaultsConfig(AppConfig):
    name = "faults"
    verbose_name = "Fault injection"
