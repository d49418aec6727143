"""Products, orders, the order state machine and the checkout saga."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from orders.checkout.saga import checkout_saga
        from orders.readiness import readiness_register
        from orders.schedules import recovery_schedule_register
        from orders.subjects import CHECKOUT_SUBJECTS
        from sagas.api import register, register_subject

        register(checkout_saga)
        post_migrate.connect(
            recovery_schedule_register, sender=self, dispatch_uid="sagas.recover"
        )
        # What saga_plan --check checks about this deployment.
        readiness_register()
        # The review queue shows each checkout's order (state, total, link).
        register_subject(checkout_saga.name, CHECKOUT_SUBJECTS)
