"""Transactional outbox: messages written with the change, relayed after commit."""

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"
