"""The admin base for records that people read but never edit by hand."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """List and detail pages that nobody edits: these rows change only via services.

    Money, stock, shipments and messages move through their services, which keep
    the invariants the audit checks; an edit form would be a way around them.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
