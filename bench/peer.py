"""The benchmarks' peer: checkout as one hand-written DRF view, undone by hand.

Seed 000's "before" picture, over the same models and services as the saga:
the order and its lines, the stock hold, the charge through the same
processor simulator, the confirmation, the shipment through the same carrier
simulator, the notifications and the outbox rows (the order's events). Its
undo is inline try/except; nothing of its progress is durable: a crash
half way leaves whatever it left. Mounted by ``bench.urls`` only, never in
the service.
"""

from __future__ import annotations

import contextlib
import uuid

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.services import notification_send
from orders.evidence import order_evidence
from orders.models import Order
from orders.money import to_minor
from orders.serializers import CheckoutSerializer, OrderSerializer
from orders.services import order_create, order_failure_record, order_transition
from payments.services import payment_charge, payment_refund
from shipping.services import shipment_cancel, shipment_create
from warehouse.services import stock_confirm, stock_hold, stock_release, stock_ship

ACTOR = "peer:checkout"


class PeerCheckoutApi(APIView):
    """POST a checkout: the whole flow in this request, each service called once."""

    def post(self, request: Request) -> Response:
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        operation_id = uuid.uuid4().hex
        order = order_create(
            owner=request.user,
            lines=data["lines"],
            payment_token=data["payment_token"],
            shipping_address=data["shipping_address"],
            operation_id=operation_id,
        )
        undo = []
        try:
            stock_hold(operation_id=operation_id, lines=data["lines"])
            undo.append(lambda: stock_release(operation_id=operation_id))
            amount = to_minor(order.total, order.currency)
            payment_charge(
                operation_id=operation_id,
                amount_minor=amount,
                currency=order.currency,
                token=order.payment_token,
                idempotency_key=f"peer:{operation_id}:charge",
            )
            undo.append(
                lambda: payment_refund(
                    operation_id=operation_id,
                    idempotency_key=f"peer:{operation_id}:refund",
                )
            )
            _move(order, "pay", captured_minor=amount, refunded_minor=0)
            stock_confirm(operation_id=operation_id)
            _move(order, "reserve", reservations_confirmed=True)
            shipment = shipment_create(
                operation_id=operation_id,
                address=order.shipping_address,
                idempotency_key=f"peer:{operation_id}:ship",
            )
            undo.append(
                lambda: shipment_cancel(
                    operation_id=operation_id,
                    idempotency_key=f"peer:{operation_id}:unship",
                )
            )
            stock_ship(operation_id=operation_id)
            _move(order, "ship", shipment_active=True)
        except Exception as error:
            for step in reversed(undo):
                # The "before" picture: an undo that fails is simply lost.
                with contextlib.suppress(Exception):
                    step()
            code = getattr(error, "code", "checkout_failed")
            order_failure_record(order_id=order.pk, code=code, message=str(error))
            event = "cancel" if order.state == Order.State.CREATED else "refund"
            order = order_transition(order=order, event=event, actor=ACTOR)
            return Response({"id": str(order.pk), "state": order.state}, status=409)
        for channel in ("email", "sms", "push"):
            with contextlib.suppress(Exception):
                notification_send(
                    operation_id=operation_id,
                    channel=channel,
                    recipient=request.user.email or "buyer@example.com",
                    subject=f"Your order {str(order.pk)[:8]} has shipped",
                    body=f"Tracking number: {shipment.tracking_number}",
                )
        return Response(OrderSerializer(order, context={"saga_runs": {}}).data, 201)


def _move(order: Order, event: str, **answered: bool | int) -> None:
    order_transition(
        order=order,
        event=event,
        actor=ACTOR,
        operation_id=order.operation_id,
        evidence=order_evidence(order=order, **answered),
    )
