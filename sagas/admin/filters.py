"""List filters of the review queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

# value -> (label, lower bound of the age, upper bound of the age)
AGES: dict[str, tuple[str, timedelta | None, timedelta | None]] = {
    "hour": ("Last hour", None, timedelta(hours=1)),
    "day": ("Last 24 hours", None, timedelta(days=1)),
    "older_day": ("Older than a day", timedelta(days=1), None),
    "older_week": ("Older than a week", timedelta(days=7), None),
}


class AgeFilter(admin.SimpleListFilter):
    """Filter runs by how long ago they started: fresh ones may still heal."""

    title = "age"
    parameter_name = "age"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, label) for value, (label, _, _) in AGES.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in AGES:
            return queryset
        _, older_than, newer_than = AGES[self.value()]
        now = timezone.now()
        if older_than is not None:
            queryset = queryset.filter(created_at__lte=now - older_than)
        if newer_than is not None:
            queryset = queryset.filter(created_at__gt=now - newer_than)
        return queryset
