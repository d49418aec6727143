"""Admin screens (read-only) for notifications and the simulated deliveries."""

from __future__ import annotations

from django.contrib import admin

from notifications.models import Notification, SentMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["operation_id", "channel", "recipient", "status", "attempts"]
    list_filter = ["channel", "status"]
    search_fields = ["operation_id", "recipient"]


@admin.register(SentMessage)
class SentMessageAdmin(ReadOnlyAdmin):
    list_display = ["channel", "recipient", "reference", "created_at"]
    list_filter = ["channel"]
    search_fields = ["reference", "recipient"]
