"""Our payment ledger and the gateway client in front of a card-processor simulator."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"
