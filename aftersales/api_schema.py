"""The OpenAPI description of the returns API: every response of each operation."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema

from aftersales.serializers import ReturnInputSerializer, ReturnSerializer
from config.api_schema import RETRY_AFTER, problem_responses
from orders.api_schema import ORDER_ID, idempotency_key_parameter, replayed_header

TAG = "returns"

return_list = extend_schema(
    operation_id="orders_returns_list",
    summary="List the returns and refunds of one of your orders",
    description="Oldest first, each with its lines, refund and saga steps.",
    tags=[TAG],
    parameters=[ORDER_ID, RETRY_AFTER],
    responses={
        200: ReturnSerializer(many=True),
        **problem_responses(401, 404, 500, 503),
    },
)

return_create = extend_schema(
    operation_id="orders_returns_create",
    summary="Return shipped units of one of your orders",
    description=(
        "Needs an `Idempotency-Key`: the same key and body again replay the "
        "first response and never start a second return. Runs the return "
        "saga: a parcel booked with the carrier, received, the units back on "
        "stock, their value (as sold) refunded, an email. 201: the saga "
        "finished during the request; 202: a worker continues it. The order "
        "stays `shipped` with its refunded amount until refunds cover "
        "everything captured; then it is `refunded`."
        "\n\n409 `order_not_shipped`: the order is not shipped (or already "
        "refunded). 409 `return_window_closed`: more than `RETURN_WINDOW_DAYS` "
        "(30 by default) since it shipped. 422 `return_exceeds_shipped`: more "
        "units than were shipped and not yet returned (`returnable` says how "
        "many); 422 `invalid_return`: a SKU the order does not have. Another "
        "user's order is 404."
    ),
    tags=[TAG],
    request=ReturnInputSerializer,
    examples=[
        OpenApiExample(
            "One T-shirt back",
            request_only=True,
            value={"lines": [{"sku": "TEE-001", "quantity": 1}], "reason": "Too small"},
        ),
    ],
    parameters=[
        ORDER_ID,
        idempotency_key_parameter(required=True),
        replayed_header([201, 202, 400, 409, 422]),
        RETRY_AFTER,
    ],
    responses={
        201: OpenApiResponse(ReturnSerializer, "The return saga finished."),
        202: OpenApiResponse(
            ReturnSerializer, "The return saga continues in a worker."
        ),
        **problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503),
    },
)
