"""Domain-free saga engine: steps, compensations, retries, durable progress."""

from django.apps import AppConfig


class SagasConfig(AppConfig):
    name = "sagas"
    verbose_name = "Sagas"

    def ready(self) -> None:
        from sagas.receivers import receivers_connect

        receivers_connect()
