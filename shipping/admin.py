"""Admin screens for our shipments and, separately, the carrier simulator's records.

Read-only: shipments change only through the services and the carrier client.
"""

from __future__ import annotations

from django.contrib import admin

from readonly_admin.admin import ReadOnlyAdmin
from shipping.models import CarrierShipment, Shipment


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ["tracking_number", "operation_id", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["operation_id", "tracking_number", "external_id"]


@admin.register(CarrierShipment)
class CarrierShipmentAdmin(ReadOnlyAdmin):
    list_display = ["tracking_number", "reference", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["reference", "tracking_number", "shipment_id"]
