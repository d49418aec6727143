"""Admin screen (read-only) of what the simulated SMS and push provider delivered."""

from __future__ import annotations

from django.contrib import admin

from notifications.models import SentMessage
from readonly_admin.admin import ReadOnlyAdmin


@admin.register(SentMessage)
class SentMessageAdmin(ReadOnlyAdmin):
    list_display = ["channel", "recipient", "reference", "created_at"]
    list_filter = ["channel"]
    search_fields = ["reference", "recipient"]
