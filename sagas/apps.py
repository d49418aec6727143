"""Domain-free saga engine: steps, compensations, retries, durable progress."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SagasConfig(AppConfig):
    name = "sagas"
    verbose_name = "Sagas"

    def ready(self) -> None:
        from sagas.receivers import receivers_connect
        from sagas.schedules import recovery_schedule_register

        receivers_connect()
        post_migrate.connect(
            recovery_schedule_register, sender=self, dispatch_uid="sagas.recover"
        )
