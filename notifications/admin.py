"""Admin screens (read-only) for notifications and the simulated deliveries."""

from __future__ import annotations

from django.contrib import admin

from config.admin import ReadOnlyAdmin
from notifications.models import Notification, SentMessage


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
