"""The return and refund sagas, declared step by step: each action next to its undo.

Return of units (``return``), after the checkout's pivot, so a saga of its own:

| # | step           | action                          | undo             | commit |
|---|----------------|---------------------------------|------------------|--------|
| 1 | hold-refund    | refund allowance (the lock)     | release it       | local  |
| 2 | book-return    | a return parcel at the carrier  | cancel the label | after  |
| 3 | receive-parcel | wait until it arrives (pivot)   | -                | after  |
| 4 | restock        | units back, a movement per SKU  | none: retried    | local  |
| 5 | refund-payment | refund the lines' value         | none: retried    | after  |
| 6 | notify-email   | tell the customer               | none: retried    | before |

Refund without goods (``refund``, customer service): hold-refund, then
refund-payment as its pivot, then notify-email; the same step functions.
``python manage.py saga_plan return`` prints the full recovery plan.
"""

from __future__ import annotations

from aftersales import steps
from aftersales.exceptions import RefundTooLarge
from aftersales.state import AftersalesState
from payments.exceptions import ChargeNotFound, RefundExceedsCharge
from sagas.api import Effect, RetryPolicy, Saga, Step
from shipping.exceptions import ReturnCancelled

SERVICE_RETRY = RetryPolicy(max_attempts=4, base_delay=0.2, max_delay=2.0)
NOTIFY_RETRY = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=5.0)
# A parcel takes its time: ask a few times, then give up and cancel the return.
# The waits (15 s in all) stay well inside a worker task's timeout; a real
# carrier would call back when it scans the parcel, and the run resume then.
PARCEL_WAIT = RetryPolicy(max_attempts=6, base_delay=0.5, max_delay=8.0)
# The fault points a return's calls pass, for its plan (the lab, the API).
RETURN_FAULT_POINTS = (
    "shipping.return_book",
    "shipping.return_receive",
    "shipping.return_cancel",
    "warehouse.restock",
    "payments.return_refund",
    "notifications.email",
)
BUSINESS_ERRORS = (RefundTooLarge, RefundExceedsCharge, ChargeNotFound, ReturnCancelled)


def _hold_refund() -> Step:
    return Step(
        "hold-refund",
        steps.hold_refund,
        steps.release_refund,
        local=True,
        retry=SERVICE_RETRY,
        idempotent=True,
        effects=(Effect("reservation", "a refund hold on the charge", "refund key"),),
        description="Take the refund from the charge's allowance: the lock.",
    )


def _refund_payment(*, retriable_only: bool) -> Step:
    return Step(
        "refund-payment",
        steps.refund_payment,
        record=steps.refund_recorded,
        retry=SERVICE_RETRY,
        idempotent=True,
        reconcile=steps.reconcile_refund,
        retriable_only=retriable_only,
        saves=("refund_id",),
        effects=(
            Effect("payment", "a refund at the processor", "refund key"),
            Effect("local table", "our ledger's refund", "refund key"),
            Effect("queue", "event `order.refunded` once nothing remains"),
        ),
        description="Refund the amount held; the order is refunded if all is back.",
    )


def _notify() -> Step:
    return Step(
        "notify-email",
        steps.notify_email,
        retry=NOTIFY_RETRY,
        # No key at the channel: a message whose fate is unknown is not resent.
        retriable_only=True,
        best_effort=True,
        effects=(Effect("email", "an email to the customer"),),
        description="Tell the customer by email.",
    )


return_saga = Saga(
    name="return",
    state_type=AftersalesState,
    steps=[
        _hold_refund(),
        Step(
            "book-return",
            steps.book_return,
            steps.cancel_return,
            record=steps.return_booked,
            retry=SERVICE_RETRY,
            idempotent=True,
            reconcile=steps.reconcile_booking,
            saves=("parcel_id", "tracking_number"),
            effects=(Effect("external API", "a return parcel", "step key"),),
            description="Book a return parcel with the carrier.",
        ),
        Step(
            "receive-parcel",
            steps.receive_parcel,
            record=steps.parcel_received,
            retry=PARCEL_WAIT,
            idempotent=True,  # a question: asking twice changes nothing
            effects=(Effect("external API", "the carrier's scan at the dock"),),
            description="Wait until the parcel reaches the warehouse (the pivot).",
        ),
        Step(
            "restock",
            steps.restock,
            local=True,
            retry=SERVICE_RETRY,
            idempotent=True,
            retriable_only=True,
            effects=(
                Effect("local table", "returned stock movements", "operation id"),
            ),
            description="Put the units back on stock.",
        ),
        _refund_payment(retriable_only=True),
        _notify(),
    ],
    business_errors=BUSINESS_ERRORS,
    on_compensated=steps.aftersales_compensated,
    pivot="receive-parcel",
)

refund_saga = Saga(
    name="refund",
    state_type=AftersalesState,
    steps=[_hold_refund(), _refund_payment(retriable_only=False), _notify()],
    business_errors=BUSINESS_ERRORS,
    on_compensated=steps.aftersales_compensated,
    pivot="refund-payment",
)
