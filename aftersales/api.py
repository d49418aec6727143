"""The returns API: a customer returns shipped units of one of their orders.

Views stay thin: validate, call one service or selector, serialize. What each
response means for a client is in ``aftersales.api_schema``.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales import api_schema
from aftersales.selectors import return_saga_runs, returns_for
from aftersales.serializers import ReturnInputSerializer, ReturnSerializer
from aftersales.services import ReturnResult, return_start
from idempotency.exceptions import IdempotencyKeyMissing
from idempotency.headers import idempotency_key_parse
from idempotency.middleware import HEADER as IDEMPOTENCY_HEADER
from orders.selectors import order_get_for_user


def return_response(result: ReturnResult) -> Response:
    """Answer a return: 201 when its saga finished, 202 while it goes on."""
    data = ReturnSerializer(
        result.ret, context={"saga_runs": {result.ret.operation_id: result.run}}
    ).data
    return Response(data, status=201 if result.finished else 202)


class ReturnListApi(APIView):
    """The returns of one of the caller's orders (GET), and a new return (POST)."""

    def get_serializer(self, *args, **kwargs) -> ReturnInputSerializer:
        # OPTIONS describes the body of POST.
        return ReturnInputSerializer(*args, **kwargs)

    @api_schema.return_list
    def get(self, request: Request, id: str) -> Response:
        order = order_get_for_user(user=request.user, order_id=id)
        returns = list(returns_for(order=order))
        serializer = ReturnSerializer(
            returns, many=True, context={"saga_runs": return_saga_runs(returns=returns)}
        )
        return Response(serializer.data)

    @api_schema.return_create
    def post(self, request: Request, id: str) -> Response:
        header = request.headers.get(IDEMPOTENCY_HEADER)
        if header is None:
            # The middleware requires keys on fixed paths only: this one varies.
            raise IdempotencyKeyMissing()
        key = idempotency_key_parse(header)
        order = order_get_for_user(user=request.user, order_id=id)
        serializer = ReturnInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = return_start(
            order=order,
            user=request.user,
            idempotency_key=key,
            lines=data["lines"],
            reason=data.get("reason", ""),
            faults=data.get("faults"),
        )
        return return_response(result)
