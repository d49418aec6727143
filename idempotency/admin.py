"""Read-only admin for Idempotency-Keys: look, never touch."""

from __future__ import annotations

from django.contrib import admin

from idempotency.models import IdempotencyKey
from readonly_admin.admin import ReadOnlyAdmin

BODY_PREVIEW_BYTES = 2000


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    """Browse keys and their stored responses; the store is written by requests only.

    Editing a row would change what a client's retry receives, and deleting one
    would let a retry run the request twice, so neither is offered.
    """

    list_display = [
        "key",
        "scope",
        "method",
        "path",
        "status",
        "response_status",
        "created_at",
        "expires_at",
    ]
    list_filter = ["status", "method", "response_status"]
    search_fields = ["key", "scope", "path"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = [
        "scope",
        "method",
        "path",
        "key",
        "fingerprint",
        "status",
        "claim_token",
        "locked_until",
        "response_status",
        "response_headers",
        "response_body_preview",
        "created_at",
        "completed_at",
        "expires_at",
    ]
    readonly_fields = fields

    @admin.display(description="Response body")
    def response_body_preview(self, obj: IdempotencyKey) -> str:
        """Return the start of the stored body as text."""
        if obj.response_body is None:
            return "-"
        body = bytes(obj.response_body)
        text = body[:BODY_PREVIEW_BYTES].decode("utf-8", errors="replace")
        return text + (" ..." if len(body) > BODY_PREVIEW_BYTES else "")
