"""Transactional outbox: messages written with the change, relayed after commit."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from outbox import checks  # noqa: F401  (registers the system check)
        from outbox.receivers import receivers_connect
        from outbox.schedules import relay_schedule_register

        receivers_connect()
        post_migrate.connect(
            relay_schedule_register, sender=self, dispatch_uid="outbox.relay"
        )
