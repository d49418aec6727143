"""The OpenAPI description of the orders API: every response of every operation.

Kept apart from the views so that they read as what they do; each name here is
the ``extend_schema`` decorator of one operation.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)

from config.api_schema import RETRY_AFTER, problem_responses
from idempotency.headers import SCHEMA_PATTERN as IDEMPOTENCY_KEY_PATTERN
from orders.serializers import CheckoutSerializer, OrderSerializer, ProductSerializer

TAG = "orders"


def _header(name: str, codes: list[int], *, required: bool, description: str):
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        required=required,
        response=codes,
        description=description,
    )


ORDER_ID = OpenApiParameter(
    "id",
    OpenApiTypes.UUID,
    location=OpenApiParameter.PATH,
    description="The order's id; another user's order or a malformed id is 404.",
)


def idempotency_key_parameter(*, required: bool) -> OpenApiParameter:
    return OpenApiParameter(
        "Idempotency-Key",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        required=required,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description=(
            "One key per request, as a Structured Field String of 1 to 255 "
            'printable ASCII characters (`Idempotency-Key: "8e03978e-40d5"`), '
            "or bare, made of letters, digits and ``!#$%&'*+-.^_`|~:/`` "
            '(`Idempotency-Key: 8e03978e-40d5`): `"abc"` and `abc` are one key. '
            "A comma is never part of a key: a header sent twice (which servers "
            "join with a comma) or a list is 400 `idempotency_key_invalid`. "
            "Sending the key again with the same body replays the first response "
            "(`Idempotent-Replayed: true`); with another body answers 422; "
            "while the first request still runs, 409 with Retry-After."
        ),
    )


def replayed_header(codes: list[int]) -> OpenApiParameter:
    return _header(
        "Idempotent-Replayed",
        codes,
        required=False,
        description="`true` when this is the stored response of an earlier request.",
    )


product_list = extend_schema(
    operation_id="products_list",
    summary="List the products for sale",
    description="Public. Prices are decimal strings; stock is live.",
    tags=[TAG],
    responses={
        200: OpenApiResponse(ProductSerializer(many=True), "The catalogue."),
        **problem_responses(401, 500, 503),
    },
    parameters=[RETRY_AFTER],
)

order_list = extend_schema(
    operation_id="orders_list",
    summary="List your orders",
    description="Newest first, with lines, failure, saga steps and history.",
    tags=[TAG],
    responses={
        200: OrderSerializer(many=True),
        **problem_responses(401, 500, 503),
    },
    parameters=[RETRY_AFTER],
)

order_create = extend_schema(
    operation_id="orders_create",
    summary="Check out: create an order and run its saga",
    description=(
        "Needs an `Idempotency-Key`: a retry with the same key and body gets the "
        "first response again and never creates a second order. Prices and "
        "totals come from the catalogue; fields the body does not define "
        "(`total`, `state`, `owner`, ...) are refused with 400 `invalid_request`."
        "\n\n201: the saga finished during the request (the order is shipped, or "
        "was rolled back: see `state` and `failure`). 202: a worker continues it "
        "or a person must review it. 409 `out_of_stock` and 402 "
        "`payment_declined` / `invalid_payment_token`: the checkout was rolled "
        "back, nothing is charged; `order_id` and `Location` name the order."
        "\n\n429 `throttled` with `Retry-After`: over the checkouts allowed per "
        "user (60 a minute by default), counted across every web process; while "
        "the shared cache is unreachable each process counts on its own rather "
        "than refuse the checkout. 503 `broker_unavailable` (worker mode, task "
        "queue down) or `database_unavailable`: retry after `Retry-After` with "
        "the same key; an order the first attempt committed is answered then."
    ),
    tags=[TAG],
    request=CheckoutSerializer,
    examples=[
        OpenApiExample(
            "A T-shirt and a mug, paid with a test card",
            request_only=True,
            value={
                "lines": [
                    {"sku": "TEE-001", "quantity": 1},
                    {"sku": "MUG-001", "quantity": 1},
                ],
                "payment_token": "tok_visa",
                "shipping_address": {
                    "name": "Alice Liddell",
                    "line1": "1 Rabbit Hole",
                    "city": "Oxford",
                    "postal_code": "OX1 1AA",
                    "country": "GB",
                },
            },
        ),
    ],
    parameters=[
        idempotency_key_parameter(required=True),
        _header(
            "Location",
            [201, 202],
            required=True,
            description="The order's address in the API.",
        ),
        _header(
            "Location",
            [402, 409],
            required=False,
            description="The rolled-back order's address (not on a key conflict).",
        ),
        replayed_header([201, 202, 400, 402, 409, 413]),
        RETRY_AFTER,
        _header(
            "Retry-After",
            [409],
            required=False,
            description="Seconds until a request still running with this key ends.",
        ),
    ],
    responses={
        201: OpenApiResponse(OrderSerializer, "The saga finished."),
        202: OpenApiResponse(OrderSerializer, "The saga continues in a worker."),
        **problem_responses(400, 401, 402, 403, 409, 413, 415, 422, 429, 500, 503),
    },
)

order_detail = extend_schema(
    operation_id="orders_retrieve",
    summary="Get one of your orders",
    tags=[TAG],
    parameters=[ORDER_ID, RETRY_AFTER],
    responses={200: OrderSerializer, **problem_responses(401, 404, 500, 503)},
)

order_cancel = extend_schema(
    operation_id="orders_cancel",
    summary="Cancel one of your orders",
    description=(
        "A `created` order is cancelled; a `paid` or `reserved` one is refunded "
        "(its completed steps undone in reverse order). A shipped order answers "
        "409 `illegal_transition`. Once the shipment is under way (the carrier "
        "is being booked), 409 `order_not_cancellable` with `reason` "
        "`shipping`: a cancel is honoured or refused, never accepted and then "
        "forgotten; while its run waits for a person, `reason` `under_review`. "
        "Cancelling a cancelled or refunded order returns it unchanged. While a "
        "worker runs the checkout, a cancel is accepted with 202 and honoured "
        "at its next commit."
    ),
    tags=[TAG],
    request=None,
    parameters=[
        ORDER_ID,
        idempotency_key_parameter(required=False),
        replayed_header([200, 202, 400, 404, 409, 413]),
        RETRY_AFTER,
    ],
    responses={
        200: OpenApiResponse(OrderSerializer, "The order is cancelled or refunded."),
        202: OpenApiResponse(
            OrderSerializer, "Cancellation requested; the saga's worker undoes it."
        ),
        **problem_responses(400, 401, 403, 404, 409, 413, 422, 500, 503),
    },
)


# OpenAPI links: what a client (or a stateful tester) can do with the order a
# checkout answers, by operation id, reading the order's id from the body.
# drf-spectacular has no decorator for links; order_links_add() adds them.
ORDER_LINKS = {
    "GetOrder": {
        "operationId": "orders_retrieve",
        "parameters": {"id": "$response.body#/id"},
        "description": "Read the order this checkout created.",
    },
    "CancelOrder": {
        "operationId": "orders_cancel",
        "parameters": {"id": "$response.body#/id"},
        "description": "Cancel the order this checkout created.",
    },
}
LINKED_RESPONSES = {("/api/orders/", "post"): ("201", "202")}


def order_links_add(result: dict, generator, request, public) -> dict:
    """Add ORDER_LINKS to the checkout's responses (a POSTPROCESSING_HOOKS entry)."""
    for (path, method), statuses in LINKED_RESPONSES.items():
        responses = result["paths"][path][method]["responses"]
        for status in statuses:
            responses[status]["links"] = ORDER_LINKS
    return result


class StrictInputSchema(OpenApiSerializerExtension):
    """Describe StrictInputSerializer bodies as they are: no unknown members.

    The serializer refuses fields it does not declare (400); a schema that
    allowed them would invite generated clients and fuzzers to send them.
    """

    target_class = "orders.serializers.StrictInputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        if direction == "request":
            schema["additionalProperties"] = False
        return schema
