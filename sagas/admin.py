"""A read-only view of saga runs and their steps (review actions come later)."""

from __future__ import annotations

from django.contrib import admin

from sagas.models import SagaRun, SagaStep


class ReadOnlyMixin:
    """Nobody edits the engine's records by hand: they change through its services."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SagaStepInline(ReadOnlyMixin, admin.TabularInline):
    model = SagaStep
    extra = 0
    fields = [
        "position",
        "name",
        "group",
        "status",
        "attempts",
        "compensation_attempts",
        "last_error",
        "note",
        "idempotency_key",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields


@admin.register(SagaRun)
class SagaRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["operation_id", "saga", "status", "error_code", "updated_at"]
    list_filter = ["status", "saga", "error_code"]
    search_fields = ["operation_id"]
    date_hierarchy = "created_at"
    fields = [
        "operation_id",
        "saga",
        "status",
        "error_code",
        "error",
        "state",
        "cancel_requested",
        "lease_owner",
        "lease_expires_at",
        "created_at",
        "updated_at",
        "finished_at",
    ]
    readonly_fields = fields
    inlines = [SagaStepInline]
