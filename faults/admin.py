"""Admin for fault plans: look, or delete a plan to make the faults stop."""

from __future__ import annotations

from django.contrib import admin

from faults.models import FaultPlan


@admin.register(FaultPlan)
class FaultPlanAdmin(admin.ModelAdmin):
    list_display = ["operation_id", "plan", "counters", "updated_at"]
    search_fields = ["operation_id"]
    readonly_fields = ["operation_id", "plan", "counters", "version", "created_at"]

    # Plans are set through fault_plan_set, which validates them; deleting one is
    # how an operator "fixes" an injected fault before retrying a review.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
