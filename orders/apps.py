"""Products, orders, the order state machine and the checkout saga."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from orders.checkout.saga import checkout_saga
        from orders.subjects import CHECKOUT_SUBJECTS
        from sagas.api import register, register_subject

        register(checkout_saga)
        # The review queue shows each checkout's order (state, total, link).
        register_subject(checkout_saga.name, CHECKOUT_SUBJECTS)
