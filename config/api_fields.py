"""Serializer fields that take JSON types as the schema states them, not text."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

NOT_AN_INTEGER = "Must be a JSON integer, such as 1; not a string, decimal or boolean."


class JSONIntegerField(serializers.IntegerField):
    """An integer field that refuses ``"1"``, ``1.0`` and ``true``.

    DRF's IntegerField converts whatever ``int()`` takes, so a body the schema
    calls invalid (a string where it says integer) is accepted, and clients
    grow to depend on it. ``bool`` is refused by name: it is an ``int`` subclass.
    """

    default_error_messages = {"invalid": NOT_AN_INTEGER}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)
