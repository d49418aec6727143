"""What ``manage.py audit`` checks after the pivot: refunds, returned stock, money."""

from __future__ import annotations

from aftersales.models import Return, ReturnLine
from orders.audit import Finding, audit_check_register
from orders.models import Order
from orders.states import State
from payments.selectors import payment_allowance_problems, payment_audit
from warehouse.models import StockMovement


def refund_findings() -> list[Finding]:
    """Refunds never exceed captures, and each charge's allowance adds up."""
    return [
        Finding("refunds", operation_id, problem)
        for operation_id, problem in payment_allowance_problems()
    ]


def returned_stock_findings() -> list[Finding]:
    """Every restocked return has its ``returned`` movements, unit for unit."""
    done = (
        Return.State.RESTOCKED,
        Return.State.REFUNDED,
    )
    expected: dict[tuple[str, str], int] = {}
    for line in ReturnLine.objects.filter(
        ret__kind=Return.Kind.RETURN, ret__state__in=done
    ).select_related("ret"):
        key = (line.ret.operation_id, line.sku)
        expected[key] = expected.get(key, 0) + line.quantity
    moved: dict[tuple[str, str], int] = {}
    for movement in StockMovement.objects.filter(reason=StockMovement.Reason.RETURNED):
        key = (movement.operation_id, movement.sku)
        moved[key] = moved.get(key, 0) + movement.delta
    findings = []
    for operation_id, sku in sorted(expected.keys() | moved.keys()):
        want, got = (
            expected.get((operation_id, sku), 0),
            moved.get((operation_id, sku), 0),
        )
        if want != got:
            findings.append(
                Finding(
                    "returns",
                    operation_id,
                    f"{sku}: {want} units returned, {got} put back on stock",
                )
            )
    return findings


def money_findings() -> list[Finding]:
    """A shipped or returned order's refunds are exactly its refunded returns.

    Every refund after the pivot belongs to a return or a customer-service
    refund that says it refunded that much; nothing else may take money back
    from a shipped order.
    """
    explained: dict[str, int] = {}
    for ret in Return.objects.filter(state=Return.State.REFUNDED).select_related(
        "order"
    ):
        op = ret.order.operation_id
        explained[op] = explained.get(op, 0) + ret.refund_minor
    operations = set(explained) | set(
        Order.objects.filter(state=State.SHIPPED).values_list("operation_id", flat=True)
    )
    ledger = {row.operation_id: row.ledger.refunded_minor for row in payment_audit()}
    return [
        Finding(
            "returns",
            f"operation {op}",
            f"refunded {ledger.get(op, 0)} but its returns refunded "
            f"{explained.get(op, 0)}",
        )
        for op in sorted(operations)
        if ledger.get(op, 0) != explained.get(op, 0)
    ]


def audit_checks_register() -> None:
    """Add the checks of this app to ``manage.py audit``."""
    audit_check_register(refund_findings)
    audit_check_register(returned_stock_findings)
    audit_check_register(money_findings)
