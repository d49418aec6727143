"""Products, orders, the order state machine and the checkout saga."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from orders.checkout.saga import checkout_saga
        from sagas.registry import register

        register(checkout_saga)
