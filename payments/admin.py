"""Admin screens for our ledger and, separately, the processor simulator's records.

All read-only: money moves only through the services and the gateway.
"""

from __future__ import annotations

from django.contrib import admin

from payments.models import Charge, ProcessorCharge, ProcessorRefund, Refund
from readonly_admin.admin import ReadOnlyAdmin


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "operation_id", "amount_minor", "currency", "status"]
    list_filter = ["status"]
    search_fields = ["operation_id", "external_id", "idempotency_key"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "operation_id", "charge", "amount_minor"]
    search_fields = ["operation_id", "external_id", "idempotency_key"]


@admin.register(ProcessorCharge)
class ProcessorChargeAdmin(ReadOnlyAdmin):
    list_display = [
        "charge_id",
        "reference",
        "amount_minor",
        "currency",
        "status",
        "amount_refunded_minor",
    ]
    list_filter = ["status"]
    search_fields = ["reference", "charge_id", "idempotency_key"]


@admin.register(ProcessorRefund)
class ProcessorRefundAdmin(ReadOnlyAdmin):
    list_display = ["refund_id", "reference", "charge", "amount_minor"]
    search_fields = ["reference", "refund_id", "idempotency_key"]
