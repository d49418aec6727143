"""Admin screens: the outbox (read-only), webhook endpoints, deliveries to retry."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timesince

from outbox.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from outbox.services import message_retry, webhook_delivery_retry
from readonly_admin.admin import ReadOnlyAdmin


class RetryableAdmin(ReadOnlyAdmin):
    """Read-only pages whose retry action needs the model's change permission."""

    def has_retry_permission(self, request: HttpRequest) -> bool:
        """Allow the retry action to those with the model's change permission."""
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(RetryableAdmin):
    list_display = ["id", "event_type", "aggregate", "status", "attempts", "age"]
    list_filter = ["status", "event_type", "aggregate_type"]
    search_fields = ["=message_id", "=aggregate_id", "event_type"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["messages_retry"]

    @admin.display(description="aggregate")
    def aggregate(self, obj: OutboxMessage) -> str:
        return f"{obj.aggregate_type}:{obj.aggregate_id}"

    @admin.display(description="age")
    def age(self, obj: OutboxMessage) -> str:
        return timesince(obj.created_at, obj.delivered_at or timezone.now())

    @admin.action(description="Retry now", permissions=["retry"])
    def messages_retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = message_retry(
            message_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        self.message_user(request, f"{count} dead message(s) queued for a retry.")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "active", "event_types", "created_at"]
    list_filter = ["active"]
    search_fields = ["url"]
    fields = ["url", "event_types", "active", "secret", "previous_secret"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RetryableAdmin):
    list_display = [
        "id",
        "message",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
    ]
    list_filter = ["status", "endpoint", "message__event_type"]
    list_select_related = ["message", "endpoint"]
    search_fields = ["=message__message_id"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["deliveries_retry"]

    @admin.action(description="Retry now", permissions=["retry"])
    def deliveries_retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = webhook_delivery_retry(
            delivery_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        level = messages.SUCCESS if count else messages.WARNING
        self.message_user(
            request, f"{count} failed or dead delivery(ies) queued for a retry.", level
        )
