"""The reconciliation audit: do money, stock, shipments and histories agree?

Each check compares two records that must tell the same story (an order's total
and the money we hold for it, our ledger and the processor's, stock and its
reservations and movements, an order's history and the state machine). Orders
whose saga waits for a person are reported apart: they are known to be
unfinished, and the review queue is where they get fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from django.utils import timezone

from orders.history import Transition, order_histories
from orders.models import Order
from orders.money import to_minor
from orders.states import CREATE_EVENT, INITIAL_STATE, State, transition_for
from payments.selectors import PaymentAudit, PaymentTotals, payment_audit
from sagas.api import ACTIVE_STATUSES, SagaRun, runs_in
from shipping.models import Shipment
from shipping.selectors import shipment_audit
from warehouse.selectors import stock_item_audit

HOLDS_MONEY = (State.PAID, State.RESERVED, State.SHIPPED)
RETURNED_MONEY = (State.CANCELLED, State.REFUNDED)


@dataclass(frozen=True)
class Finding:
    """One inconsistency: which check, about what, and what is wrong."""

    check: str
    subject: str
    problem: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.subject}: {self.problem}"


AuditCheck = Callable[[], list[Finding]]

# Checks other apps add (``aftersales``: refunds, returned stock): they read
# orders, so orders cannot import them; they register here instead.
_checks: list[AuditCheck] = []


def audit_check_register(check: AuditCheck) -> None:
    """Add ``check`` to every audit run (once, however often it is registered)."""
    if check not in _checks:
        _checks.append(check)


@dataclass(frozen=True)
class AuditReport:
    """Everything the audit found, and the orders it left to the review queue."""

    findings: list[Finding]
    under_review: list[str]
    orders_checked: int

    @property
    def ok(self) -> bool:
        """Return whether nothing is inconsistent."""
        return not self.findings

    def as_dict(self) -> dict:
        """Return the report as JSON-ready data."""
        return {
            "ok": self.ok,
            "orders_checked": self.orders_checked,
            "under_review": self.under_review,
            "findings": [asdict(finding) for finding in self.findings],
        }


def audit_run(*, now: datetime | None = None) -> AuditReport:
    """Check every invariant of the service and return what is off."""
    now = now or timezone.now()
    runs = {
        run.operation_id: run
        for run in runs_in(saga="checkout").only(
            "operation_id", "status", "lease_expires_at"
        )
    }
    under_review = {
        op for op, run in runs.items() if run.status == SagaRun.Status.NEEDS_REVIEW
    }
    orders = [
        order
        for order in Order.objects.only(
            "id", "state", "total", "currency", "operation_id"
        )
        if order.operation_id not in under_review
    ]
    payments = payment_audit()  # the ledger next to the processor, read once
    histories = order_histories(orders=orders)
    findings = [
        *_money_findings(orders, runs, payments),
        *_history_findings(orders, histories),
        *_shipment_findings(orders, histories),
        *(
            Finding("ledger", row.operation_id, problem)
            for row in payments
            for problem in row.problems
        ),
        *(
            Finding("stock", row.sku, problem)
            for row in stock_item_audit()
            for problem in row.problems
        ),
        *(
            Finding("carrier", row.operation_id, problem)
            for row in shipment_audit()
            for problem in row.problems
        ),
        *_stuck_run_findings(now),
        *(finding for check in _checks for finding in check()),
    ]
    return AuditReport(
        findings=findings,
        under_review=sorted(under_review),
        orders_checked=len(orders),
    )


def audit_problems() -> list[str]:
    """Return every finding as a readable line (empty when all is well)."""
    return [str(finding) for finding in audit_run().findings]


def _money_findings(
    orders: list[Order], runs: dict[str, SagaRun], payments: list[PaymentAudit]
) -> list[Finding]:
    ledger = {row.operation_id: row.ledger for row in payments}
    findings = []
    for order in orders:
        totals = ledger.get(order.operation_id, PaymentTotals(0, 0))
        expected = to_minor(order.total, order.currency)
        run = runs.get(order.operation_id)
        in_flight = run is not None and run.status in ACTIVE_STATUSES
        if order.state == State.SHIPPED:
            # Refunds after the pivot are the returns' to explain (aftersales):
            # here, the whole total was captured and no more than it refunded.
            if totals.captured_minor == expected and totals.net_minor >= 0:
                continue
            problem = (
                f"shipped, captured {totals.captured_minor} of {expected}, "
                f"holds {totals.net_minor}"
            )
        elif order.state in HOLDS_MONEY and totals.net_minor != expected:
            problem = f"{order.state} but holds {totals.net_minor} of {expected}"
        elif order.state in RETURNED_MONEY and totals.net_minor != 0:
            problem = f"{order.state} but still holds {totals.net_minor}"
        elif order.state == State.CREATED and not in_flight and totals.net_minor:
            problem = f"created, no checkout running, holds {totals.net_minor}"
        else:
            continue
        findings.append(Finding("money", f"order {order.pk}", problem))
    return findings


def _history_findings(
    orders: list[Order], histories: dict[str, list[Transition]]
) -> list[Finding]:
    findings = []
    for order in orders:
        problem = _history_problem(order, histories[str(order.pk)])
        if problem:
            findings.append(Finding("history", f"order {order.pk}", problem))
    return findings


def _history_problem(order: Order, history: list[Transition]) -> str:
    if not history or (history[0].event, history[0].to_state) != (
        CREATE_EVENT,
        INITIAL_STATE,
    ):
        return "history does not start with its creation"
    state = history[0].to_state
    for row in history[1:]:
        rule = transition_for(row.event)
        legal = rule is not None and state in rule.sources and rule.dest == row.to_state
        if not legal or row.from_state != state:
            return f"illegal step {row.event}: {row.from_state} -> {row.to_state}"
        state = row.to_state
    if state != order.state:
        return f"history ends {state} but the order is {order.state}"
    return ""


def _shipment_findings(
    orders: list[Order], histories: dict[str, list[Transition]]
) -> list[Finding]:
    active = set(
        Shipment.objects.filter(status=Shipment.Status.ACTIVE).values_list(
            "operation_id", flat=True
        )
    )
    findings = []
    for order in orders:
        has_active = order.operation_id in active
        if order.state == State.SHIPPED and not has_active:
            problem = "shipped without an active shipment"
        # An order refunded after it shipped (returns, refunds) keeps its
        # shipment: the parcel did go out.
        elif (
            order.state in RETURNED_MONEY
            and has_active
            and not _refunded_after_shipping(order, histories[str(order.pk)])
        ):
            problem = f"{order.state} but its shipment is still active"
        else:
            continue
        findings.append(Finding("shipment", f"order {order.pk}", problem))
    return findings


def _refunded_after_shipping(order: Order, history: list[Transition]) -> bool:
    return order.state == State.REFUNDED and any(row.event == "ship" for row in history)


def _stuck_run_findings(now: datetime) -> list[Finding]:
    # Every saga's runs, not only checkouts: a return left running is stuck too.
    stuck = (
        runs_in()
        .filter(status__in=ACTIVE_STATUSES, lease_expires_at__lt=now)
        .only("operation_id", "status")
    )
    return [
        Finding("saga", run.operation_id, f"{run.status} with an expired lease")
        for run in stuck.order_by("id")
    ]
