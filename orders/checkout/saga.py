"""The checkout saga, declared step by step: each action next to its undo.

| # | step                | action                  | undo          | event   | commit |
|---|---------------------|-------------------------|---------------|---------|--------|
| 1 | hold-stock          | pending holds (the lock)| release holds |         | local  |
| 2 | charge-card         | capture the total       | refund        | pay     | after  |
| 3 | confirm-reservation | pending -> confirmed    | stock back    | reserve | local  |
| 4 | create-shipment     | book the carrier (pivot)| cancel booking| ship    | after  |
| 5 | notify (parallel)   | email, SMS, push        | none: retried |         | before |

"local": the step's writes are all in this database and commit with its
journal entry (hold-stock with the order itself, so a refused hold leaves
nothing; confirm-reservation with the charge's record). "after": the external
call needs no commit before it (same key on a repeat, or reconcile); its
record commits with the step. "before": written started first, so a message
whose fate is unknown is never sent twice. Four commits in all on the happy
path. ``python manage.py saga_plan checkout`` prints the full recovery plan.
"""

from __future__ import annotations

from orders.checkout import steps
from orders.checkout.endings import checkout_compensated
from orders.checkout.state import CheckoutState
from payments.exceptions import PaymentDeclined
from sagas.api import Effect, Parallel, RetryPolicy, Saga, Step
from shipping.exceptions import InvalidAddress
from warehouse.exceptions import HoldNotFound, OutOfStock

# Calls to the simulated services fail fast and recover fast; a real gateway
# would get longer delays. Compensations keep the engine's more patient default.
SERVICE_RETRY = RetryPolicy(max_attempts=4, base_delay=0.2, max_delay=2.0)
NOTIFY_RETRY = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=5.0)

checkout_saga = Saga(
    name="checkout",
    state_type=CheckoutState,
    steps=[
        Step(
            "hold-stock",
            steps.hold_stock,
            steps.release_stock,
            local=True,
            retry=SERVICE_RETRY,
            idempotent=True,
            effects=(Effect("reservation", "a pending hold per line", "operation id"),),
            description="Hold every line as a pending reservation.",
        ),
        Step(
            "charge-card",
            steps.charge_card,
            steps.refund_card,
            record=steps.charge_recorded,
            retry=SERVICE_RETRY,
            idempotent=True,
            reconcile=steps.reconcile_charge,
            saves=("charge_id", "refund_id"),
            effects=(
                Effect("payment", "a capture at the processor", "step key"),
                Effect("local table", "our ledger's charge", "step key"),
                Effect("queue", "event `order.paid`: the order is paid"),
            ),
            description="Capture the order total; the order becomes paid.",
        ),
        Step(
            "confirm-reservation",
            steps.confirm_reservation,
            steps.release_stock,
            local=True,
            retry=SERVICE_RETRY,
            idempotent=True,
            effects=(
                Effect("reservation", "the holds confirmed", "operation id"),
                Effect("queue", "event `order.reserved`: it is reserved"),
            ),
            description="Confirm the holds; the order becomes reserved.",
        ),
        Step(
            "create-shipment",
            steps.create_shipment,
            steps.cancel_shipment,
            record=steps.shipment_recorded,
            retry=SERVICE_RETRY,
            idempotent=True,
            reconcile=steps.reconcile_shipment,
            saves=("shipment_id", "tracking_number"),
            effects=(
                Effect("external API", "a booking at the carrier", "step key"),
                Effect("local table", "our shipment, stock shipped", "operation id"),
                Effect("queue", "event `order.shipped`: it is shipped"),
            ),
            description="Book the carrier; the order becomes shipped.",
        ),
        Parallel(
            "notify",
            [
                Step(
                    f"notify-{channel}",
                    action,
                    retry=NOTIFY_RETRY,
                    # Not repeatable: a channel has no key, so a message whose
                    # fate is unknown is never sent again (at most once).
                    retriable_only=True,
                    best_effort=True,
                    effects=(Effect(kind, message),),
                    description=f"Tell the customer by {channel}.",
                )
                for channel, kind, message, action in (
                    ("email", "email", "an email to the customer", steps.notify_email),
                    ("sms", "message", "an SMS to the customer", steps.notify_sms),
                    ("push", "message", "a push to their devices", steps.notify_push),
                )
            ],
        ),
    ],
    # Failures no retry can fix: the order is cancelled or refunded at once.
    business_errors=(
        OutOfStock,
        PaymentDeclined,
        HoldNotFound,
        InvalidAddress,
    ),
    on_compensated=checkout_compensated,
    pivot="create-shipment",
)
