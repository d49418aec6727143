"""Stock, reservations (the semantic lock) and the movements that audit stock."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WarehouseConfig(AppConfig):
    name = "warehouse"
    verbose_name = "Warehouse"

    def ready(self) -> None:
        from warehouse.schedules import expiry_schedule_register

        post_migrate.connect(
            expiry_schedule_register, sender=self, dispatch_uid="warehouse.expiry"
        )
