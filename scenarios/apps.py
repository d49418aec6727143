"""Runnable scenarios of the checkout, for ``manage.py saga_demo``."""

from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "scenarios"
    verbose_name = "Scenarios"
