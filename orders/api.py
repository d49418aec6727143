"""The orders API: the catalogue, checkout, a user's orders and their cancellation.

Views stay thin: validate the request, call one service or selector, serialize.
What each response means for a client is in ``orders.api_schema``.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from idempotency.exceptions import IdempotencyKeyMissing
from idempotency.headers import idempotency_key_parse
from idempotency.middleware import HEADER as IDEMPOTENCY_HEADER
from orders import api_schema
from orders.checkout.services import CheckoutResult, checkout_start, order_cancel
from orders.models import Order
from orders.selectors import (
    order_get_for_user,
    order_list_for_user,
    order_refunds,
    order_saga_runs,
    orders_with_history,
    product_list_with_stock,
)
from orders.serializers import CheckoutSerializer, OrderSerializer, ProductSerializer
from orders.states import State
from orders.throttles import CheckoutThrottle
from payments.exceptions import InvalidPaymentToken, PaymentDeclined
from problems.responses import problem_response
from warehouse.exceptions import OutOfStock

# A checkout that ended on one of these failures answers with its problem, not
# with 201: the client must act (another card, fewer items), not just read.
CHECKOUT_FAILURES = {
    error.code: error for error in (OutOfStock, PaymentDeclined, InvalidPaymentToken)
}
ENDED = (State.CANCELLED, State.REFUNDED)


def order_location(order: Order) -> str:
    """Return the path of ``order`` in the API."""
    return reverse("api-order-detail", kwargs={"id": order.pk})


def order_data(order: Order) -> dict:
    """Serialize one order with its saga run."""
    return OrderSerializer(order, context=order_context([order])).data


def order_context(orders: list[Order]) -> dict:
    """Return what serializing ``orders`` needs: their runs and their refunds."""
    return {
        "saga_runs": order_saga_runs(orders=orders),
        "refunded": order_refunds(orders=orders),
    }


def checkout_response(result: CheckoutResult) -> Response:
    """Answer a checkout: 201 when its saga finished, 202 while it goes on.

    A checkout refused for out of stock or a declined card answers with that
    problem (409, 402) and the order's id and Location.
    """
    order = result.order
    location = order_location(order)
    failure = CHECKOUT_FAILURES.get(order.failure_code)
    if result.finished and failure is not None:
        return problem_response(
            status=failure.status,
            code=failure.code,
            title=failure.title,
            detail=order.failure_message,
            headers={"Location": location},
            order_id=str(order.pk),
        )
    status = 201 if result.finished else 202
    # The run is at hand: handing it over saves looking it up again.
    data = OrderSerializer(
        order, context={"saga_runs": {order.operation_id: result.run}}
    ).data
    return Response(data, status=status, headers={"Location": location})


class ProductListApi(APIView):
    """The catalogue with live stock: public, like a shop window."""

    permission_classes = [AllowAny]

    @api_schema.product_list
    def get(self, request: Request) -> Response:
        products = product_list_with_stock()
        return Response(ProductSerializer(products, many=True).data)


class OrderPagination(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class OrderListApi(GenericAPIView):
    """The caller's orders (GET) and checkout (POST, with an Idempotency-Key)."""

    pagination_class = OrderPagination

    def get_serializer_class(self) -> type[Serializer]:
        # OPTIONS describes the body of POST (DRF asks as if it were a POST).
        if self.request.method == "POST":
            return CheckoutSerializer
        return OrderSerializer

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method == "POST":
            return [*super().get_throttles(), CheckoutThrottle()]
        return super().get_throttles()

    @api_schema.order_list
    def get(self, request: Request) -> Response:
        orders = orders_with_history(
            self.paginate_queryset(order_list_for_user(user=request.user))
        )
        serializer = OrderSerializer(orders, many=True, context=order_context(orders))
        return self.get_paginated_response(serializer.data)

    @api_schema.order_create
    def post(self, request: Request) -> Response:
        header = request.headers.get(IDEMPOTENCY_HEADER)
        if header is None:
            # The middleware refuses this first; without it, never run unkeyed.
            raise IdempotencyKeyMissing()
        # The key, not the header: '"abc"' and 'abc' must name one operation.
        key = idempotency_key_parse(header)
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = checkout_start(
            user=request.user, idempotency_key=key, **serializer.validated_data
        )
        return checkout_response(result)


class OrderDetailApi(APIView):
    """One of the caller's orders; anyone else's is 404, as if it did not exist."""

    @api_schema.order_detail
    def get(self, request: Request, id: str) -> Response:
        order = order_get_for_user(user=request.user, order_id=id)
        return Response(order_data(order))


class OrderCancelApi(APIView):
    """Cancel one of the caller's orders: undo its checkout in reverse order."""

    @api_schema.order_cancel
    def post(self, request: Request, id: str) -> Response:
        order = order_get_for_user(user=request.user, order_id=id)
        # Returned as stored after the cancellation, with its new history.
        order = order_cancel(order=order, actor=f"user:{request.user.get_username()}")
        return Response(order_data(order), status=200 if order.state in ENDED else 202)
