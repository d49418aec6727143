"""Returns and refunds after the pivot: their models, sagas and API."""

from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = "Returns and refunds"

    def ready(self) -> None:
        from aftersales.audit import audit_checks_register
        from aftersales.saga import refund_saga, return_saga
        from aftersales.subjects import RETURN_SUBJECTS
        from sagas.api import register, register_subject

        register(return_saga)
        register(refund_saga)
        # The review queue shows each run's return and links its order.
        register_subject(return_saga.name, RETURN_SUBJECTS)
        register_subject(refund_saga.name, RETURN_SUBJECTS)
        # What manage.py audit also checks: refunds, returned stock, money.
        audit_checks_register()
