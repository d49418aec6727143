"""Admin screens for stock, reservations and movements: read-only by design.

Stock changes only through the services, so that every change of ``on_hand`` has
its movement and every ``reserved`` unit its reservation.
"""

from __future__ import annotations

from django.contrib import admin

from warehouse.models import Reservation, StockItem, StockMovement
from warehouse.selectors import stock_list


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdmin):
    list_display = ["sku", "on_hand", "reserved", "available", "pending"]
    search_fields = ["sku"]

    def get_queryset(self, request):
        return stock_list()

    @admin.display(ordering="available", description="available")
    def available(self, item: StockItem) -> int:
        return item.available

    @admin.display(ordering="pending", description="pending holds")
    def pending(self, item: StockItem) -> int:
        return item.pending


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["operation_id", "sku", "quantity", "status", "expires_at"]
    list_filter = ["status"]
    search_fields = ["operation_id", "sku"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["sku", "delta", "reason", "operation_id", "created_at"]
    list_filter = ["reason"]
    search_fields = ["sku", "operation_id"]
