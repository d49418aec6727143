"""Serializers of the orders API: the checkout request in, products and orders out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api_fields import JSONIntegerField
from orders.models import Order, OrderLine, Product
from orders.money import from_minor
from orders.states import State
from sagas.api import SagaRun, StepStatus

UNKNOWN_FIELD = "Unknown field: it cannot be set by a client."
QUANTITY_OVER_LIMIT = "At most {limit} units of one product per order."


def max_lines() -> int:
    """Return how many lines one checkout may have (CHECKOUT_MAX_LINES)."""
    return settings.CHECKOUT_MAX_LINES


def max_quantity() -> int:
    """Return how many units of one product one checkout may buy."""
    return settings.CHECKOUT_MAX_QUANTITY


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not declare.

    Ignoring ``total``, ``state`` or ``owner`` silently would hide a client's
    mistake (or an attack) behind a 201; naming them in a 400 does not.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {str(name): [UNKNOWN_FIELD] for name in unknown}
                )
        return super().to_internal_value(data)


# -- In: the checkout request ----------------------------------------------------


class LineInputSerializer(StrictInputSerializer):
    """One product and how many units of it; the price comes from the catalogue."""

    sku = serializers.CharField(max_length=64)
    quantity = JSONIntegerField(min_value=1)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # Read when the request arrives (and when the schema is drawn), not at import.
        fields["quantity"] = JSONIntegerField(min_value=1, max_value=max_quantity())
        return fields


class AddressSerializer(StrictInputSerializer):
    """Where the carrier delivers the order."""

    name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100)
    postal_code = serializers.CharField(max_length=20)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        help_text="ISO 3166-1 alpha-2 code, such as GB or PT.",
        error_messages={"invalid": "Two letters, such as GB or PT."},
    )
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)

    def validate_country(self, value: str) -> str:
        return value.upper()


class CheckoutSerializer(StrictInputSerializer):
    """The body of ``POST /api/orders/``: what to buy, how to pay, where to ship."""

    lines = serializers.ListField(child=LineInputSerializer())
    payment_token = serializers.CharField(
        max_length=100, help_text="A test card token: tok_visa, tok_chargeDeclined."
    )
    shipping_address = AddressSerializer()
    faults = serializers.DictField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text=(
            'Faults to inject, as {point: mode} (e.g. {"payments.charge": '
            '"error"}); refused with 400 unless the server runs with '
            "FAULT_INJECTION on."
        ),
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["lines"] = serializers.ListField(
            child=LineInputSerializer(), min_length=1, max_length=max_lines()
        )
        return fields

    def validate_lines(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # Lines with the same SKU are merged into one order line: the limit
        # applies to the merged quantity, or two lines of 10 would buy 20.
        limit = max_quantity()
        merged: dict[str, int] = {}
        for line in lines:
            merged[line["sku"]] = merged.get(line["sku"], 0) + line["quantity"]
        over = sorted(sku for sku, quantity in merged.items() if quantity > limit)
        if over:
            raise serializers.ValidationError(
                f"{QUANTITY_OVER_LIMIT.format(limit=limit)} Over it: {', '.join(over)}."
            )
        return lines


# -- Out: products and orders ----------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    """A product of the catalogue with the warehouse's stock of it."""

    available = serializers.IntegerField(
        read_only=True, help_text="Units that can be bought now."
    )
    pending = serializers.IntegerField(
        read_only=True, help_text="Units held by checkouts still running."
    )

    class Meta:
        model = Product
        fields = ["sku", "name", "price", "currency", "available", "pending"]
        read_only_fields = fields


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["sku", "name", "quantity", "unit_price"]
        read_only_fields = fields


class OrderTransitionSerializer(serializers.Serializer):
    """One move of the order's history (its published event)."""

    from_state = serializers.CharField(read_only=True)
    to_state = serializers.ChoiceField(choices=State.choices, read_only=True)
    event = serializers.CharField(read_only=True)
    actor = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class FailureSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)


class SagaStepSerializer(serializers.Serializer):
    """One step of the run, from its journal."""

    name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=StepStatus.choices, read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    last_error = serializers.CharField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True, allow_null=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)


class SagaSerializer(serializers.ModelSerializer):
    steps = SagaStepSerializer(many=True, read_only=True, source="step_rows")

    class Meta:
        model = SagaRun
        fields = ["status", "steps"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    """An order with its lines, its failure, its saga and its history.

    The saga run is looked up in ``context["saga_runs"]`` (operation id to run,
    from ``orders.selectors.order_saga_runs``) so a list costs no query per order;
    the money refunded so far in ``context["refunded"]`` (operation id to minor
    units, ``orders.selectors.order_refunds``), none when absent (a new order).
    """

    lines = OrderLineSerializer(many=True, read_only=True, source="line_rows")
    refunded = serializers.SerializerMethodField()
    failure = serializers.SerializerMethodField()
    saga = serializers.SerializerMethodField()
    transitions = OrderTransitionSerializer(
        many=True, read_only=True, source="transition_rows"
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "state",
            "lines",
            "total",
            "currency",
            "refunded",
            "created_at",
            "failure",
            "saga",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.DecimalField(
            max_digits=10,
            decimal_places=2,
            help_text="Money refunded so far: returns, refunds, a rollback.",
        )
    )
    def get_refunded(self, order: Order) -> str:
        minor = self.context.get("refunded", {}).get(order.operation_id, 0)
        return str(from_minor(minor, order.currency))

    @extend_schema_field(FailureSerializer(allow_null=True))
    def get_failure(self, order: Order) -> dict[str, str] | None:
        if not order.failure_code:
            return None
        return {"code": order.failure_code, "message": order.failure_message}

    @extend_schema_field(SagaSerializer(allow_null=True))
    def get_saga(self, order: Order) -> dict[str, Any] | None:
        run = self.context.get("saga_runs", {}).get(order.operation_id)
        return None if run is None else SagaSerializer(run).data
