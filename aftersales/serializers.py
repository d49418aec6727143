"""Serializers of the returns API: the return request in, returns out."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aftersales.models import Return, ReturnLine
from orders.serializers import (
    LineInputSerializer,
    SagaSerializer,
    StrictInputSerializer,
    max_lines,
)


class ReturnInputSerializer(StrictInputSerializer):
    """The body of ``POST /api/orders/{id}/returns/``: which units, and why."""

    lines = serializers.ListField(child=LineInputSerializer())
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False)
    faults = serializers.DictField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text=(
            "Faults to inject in the return saga, as {point: mode} (e.g. "
            '{"shipping.return_book": "error"}); refused with 400 unless the '
            "server runs with FAULT_INJECTION on."
        ),
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["lines"] = serializers.ListField(
            child=LineInputSerializer(), min_length=1, max_length=max_lines()
        )
        return fields


class ReturnLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnLine
        fields = ["sku", "quantity", "unit_price"]
        read_only_fields = fields


class ReturnSerializer(serializers.ModelSerializer):
    """A return (or refund) with its lines, its refund and its saga.

    The run is looked up in ``context["saga_runs"]`` (operation id to run).
    """

    lines = ReturnLineSerializer(many=True, read_only=True)
    refund_amount = serializers.SerializerMethodField()
    saga = serializers.SerializerMethodField()

    class Meta:
        model = Return
        fields = [
            "id",
            "kind",
            "state",
            "reason",
            "lines",
            "refund_amount",
            "currency",
            "tracking_number",
            "created_at",
            "saga",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_refund_amount(self, ret: Return) -> str:
        return str(ret.refund_amount)

    @extend_schema_field(SagaSerializer(allow_null=True))
    def get_saga(self, ret: Return) -> dict[str, Any] | None:
        run = self.context.get("saga_runs", {}).get(ret.operation_id)
        return None if run is None else SagaSerializer(run).data
