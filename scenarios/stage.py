"""What a scenario acts with: its timeline, its cast and goods, its checks.

A ``Demo`` is handed to every scenario. It emits the timeline's events, names
the operations after their buyers, stocks the shelves, runs checkouts the way
the API does, runs code in a real worker process, reads the audit, and keeps
the checks whose results decide the exit status.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from orders.audit import AuditReport, audit_run
from orders.checkout.services import CheckoutResult, checkout_start
from orders.history import order_history
from orders.management.commands.seed_demo import DEMO_PRODUCTS
from orders.models import Order, Product
from orders.services import operation_id_for
from problems.errors import ApplicationError
from scenarios.registry import Scenario
from scenarios.terminal import Event, Renderer
from scenarios.timeline import SagaWatch
from warehouse.services import stock_set

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "GB",
    "phone": "+447700900123",
}
# Two T-shirts and a mug: 60.50 EUR.
LINES = ({"sku": "TEE-001", "quantity": 2}, {"sku": "MUG-001", "quantity": 1})


class Demo:
    """One scenario's stage: see the module docstring."""

    def __init__(self, *, scenario: Scenario, renderer: Renderer) -> None:
        self.scenario, self.renderer = scenario, renderer
        self.started = time.monotonic()
        self.labels: dict[str, str] = {}
        self.checks: list[dict[str, Any]] = []
        self.orders: list[dict[str, Any]] = []
        self.audit_report: dict[str, Any] | None = None

    # -- the timeline ------------------------------------------------------------------

    def emit(
        self, kind: str, text: str, *, who: str = "", step: str = "", **data: Any
    ) -> None:
        """Add a line to the timeline."""
        elapsed = round(time.monotonic() - self.started, 3)
        self.renderer.emit(Event(elapsed, kind, text, who, step, data))

    def section(self, title: str) -> None:
        """Start a part of the scenario."""
        self.emit("section", title)

    def note(self, text: str) -> None:
        """Say what is about to happen, or what it means."""
        self.emit("note", text)

    def wait(self, seconds: float, why: str) -> None:
        """Wait ``seconds`` (really), saying why on the progress line."""
        self.emit("note", f"waiting {seconds:g} s: {why}")
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.renderer.progress(f"{why}: {left:.1f} s")
            time.sleep(min(left, 0.1))

    def check(self, label: str, ok: bool, found: Any = "") -> bool:
        """Record that the scenario showed what it promised (or did not)."""
        self.checks.append({"check": label, "ok": bool(ok), "found": str(found)})
        text = f"{label}" + (f" ({found})" if found != "" else "")
        self.emit("check", text, ok=bool(ok))
        return bool(ok)

    @contextmanager
    def watching(self) -> Iterator[SagaWatch]:
        """Show every saga run's steps on the timeline while inside the block."""
        with SagaWatch(emit=self.emit, who=self.who) as watch:
            yield watch

    def name_operation(self, user: Any, *, key: str, label: str | None = None) -> str:
        """Name on the timeline the operation of ``user``'s request with ``key``."""
        operation_id = operation_id_for(user_id=user.pk, idempotency_key=key)
        self.labels[operation_id] = label or user.get_username()
        return operation_id

    def who(self, operation_id: str) -> str:
        """Return the name the timeline gives to ``operation_id``."""
        return self.labels.get(operation_id, operation_id[:6])

    # -- the cast and the goods --------------------------------------------------------

    def shelves(self, on_hand: Mapping[str, int] | None = None) -> None:
        """Put the demo products on sale; ``on_hand`` overrides some SKUs' stock."""
        on_hand = on_hand or {}
        for sku, name, price, units in DEMO_PRODUCTS:
            Product.objects.update_or_create(
                sku=sku,
                defaults={"name": name, "price": Decimal(price), "currency": "EUR"},
            )
            stock_set(sku=sku, on_hand=on_hand.get(sku, units))

    def buyer(self, username: str) -> Any:
        """Return a customer (no password: nobody logs in during a scenario)."""
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        return user

    def reviewer(self) -> Any:
        """Return a staff member allowed to act on runs that need review."""
        user, _ = get_user_model().objects.get_or_create(
            username="reviewer", defaults={"is_staff": True}
        )
        user.user_permissions.add(Permission.objects.get(codename="review_sagarun"))
        return get_user_model().objects.get(pk=user.pk)  # no cached permissions

    # -- acting ------------------------------------------------------------------------

    def checkout(
        self,
        user: Any,
        *,
        key: str,
        faults: Mapping[str, str] | None = None,
        lines: tuple[Mapping[str, Any], ...] = LINES,
        label: str | None = None,
    ) -> CheckoutResult | ApplicationError:
        """Start a checkout as the API does; return it, or the error it answered."""
        operation_id = self.name_operation(user, key=key, label=label)
        plan = f" with faults {dict(faults)}" if faults else ""
        self.emit("note", f"checkout by {user.get_username()}{plan}")
        try:
            return checkout_start(
                user=user,
                idempotency_key=key,
                lines=[dict(line) for line in lines],
                payment_token="tok_visa",
                shipping_address=ADDRESS,
                faults=dict(faults) if faults else None,
            )
        except ApplicationError as error:
            self.emit(
                "step",
                f"refused at once ({error.status} {error.code}), nothing kept: "
                f"{error.message}",
                who=self.labels[operation_id],
                status="failed",
            )
            return error

    def show_order(self, order: Order) -> Order:
        """Show where ``order`` ended, its history, and remember it for the report."""
        order.refresh_from_db()
        history = " → ".join(row.to_state for row in order_history(order=order))
        who = self.who(order.operation_id)
        failure = f" ({order.failure_code})" if order.failure_code else ""
        self.emit(
            "order",
            f"order {str(order.pk)[:8]} is {order.state}{failure}: {history}",
            who=who,
            state=order.state,
        )
        self.orders.append(
            {
                "who": who,
                "order_id": str(order.pk),
                "operation_id": order.operation_id,
                "state": order.state,
                "failure_code": order.failure_code,
                "history": history,
            }
        )
        return order

    def audit(self, *, expect_ok: bool = True) -> AuditReport:
        """Run the reconciliation audit, show it, and check its verdict."""
        report = audit_run()
        self.audit_report = report.as_dict()
        waiting = f", {len(report.under_review)} awaiting review" * bool(
            report.under_review
        )
        self.emit(
            "audit",
            f"audit: {report.orders_checked} orders checked{waiting}, "
            f"{len(report.findings)} finding(s)",
        )
        for finding in report.findings:
            self.emit("audit", f"  {finding}")
        if expect_ok:
            self.check("the audit finds nothing wrong", report.ok)
        return report

    def in_worker(self, target: Callable[[], object], *, name: str) -> int:
        """Run ``target`` in a forked worker process; return its exit code."""
        from scenarios.workers import worker_run

        return worker_run(self, target, name=name)

    def summary(self) -> dict[str, Any]:
        """Return the scenario's outcome: passed only if every check held."""
        return {
            "scenario": self.scenario.name,
            "title": self.scenario.title,
            "chapter": self.scenario.chapter,
            "ok": bool(self.checks) and all(check["ok"] for check in self.checks),
            "checks": self.checks,
            "orders": self.orders,
            "audit": self.audit_report,
        }
