"""The audit: silent when everything agrees, and exact about what does not.

Each test finishes a real checkout, then breaks one record behind the services'
backs, as a bug or a hand edit would, and reads what the audit reports.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.audit import Finding, audit_run
from orders.models import Order
from payments.simulator.models import ProcessorCharge
from sagas.models import SagaRun
from tests.orders.checkout.conftest import (  # noqa: F401
    checkout,
    faults_on,
    no_waiting,
)
from warehouse.models import StockItem

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def inline_notifications(settings):
    settings.SAGA_PARALLEL_EXECUTOR = "inline"


@pytest.fixture
def shipped(checkout) -> Order:  # noqa: F811 - the fixture imported above
    order = checkout().order
    assert order.state == "shipped"
    return order


def test_a_finished_checkout_leaves_nothing_to_report(shipped):
    report = audit_run()

    assert (report.ok, report.findings, report.orders_checked) == (True, [], 1)


def test_an_order_moved_behind_the_machines_back_is_reported_three_ways(shipped):
    Order.objects.filter(pk=shipped.pk).update(state="cancelled")
    subject = f"order {shipped.pk}"

    assert audit_run().findings == [
        Finding("money", subject, "cancelled but still holds 5250"),
        Finding("history", subject, "history ends shipped but the order is cancelled"),
        Finding("shipment", subject, "cancelled but its shipment is still active"),
    ]


def test_a_ledger_that_disagrees_with_the_processor_is_reported(shipped):
    ProcessorCharge.objects.update(amount_minor=5000)

    assert audit_run().findings == [
        Finding(
            "ledger", shipped.operation_id, "captured: ledger 5250 != processor 5000"
        )
    ]


def test_stock_that_disagrees_with_its_movements_is_reported(shipped):
    StockItem.objects.filter(sku="MUG-001").update(on_hand=99)

    assert [(f.check, f.subject) for f in audit_run().findings] == [
        ("stock", "MUG-001")
    ]


def test_a_running_saga_whose_lease_expired_is_reported(shipped):
    SagaRun.objects.update(
        status=SagaRun.Status.RUNNING,
        lease_expires_at=timezone.now() - timedelta(minutes=1),
    )

    assert audit_run().findings == [
        Finding("saga", shipped.operation_id, "running with an expired lease")
    ]


def test_an_order_under_review_is_listed_apart_not_audited(shipped):
    SagaRun.objects.update(status=SagaRun.Status.NEEDS_REVIEW)
    Order.objects.filter(pk=shipped.pk).update(state="cancelled")

    report = audit_run()

    assert (report.findings, report.orders_checked) == ([], 0)
    assert report.under_review == [shipped.operation_id]


def test_the_command_exits_1_and_prints_json_on_a_finding(shipped):
    ProcessorCharge.objects.update(amount_minor=5000)
    out = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("audit", "--json", stdout=out)

    assert exited.value.code == 1
    data = json.loads(out.getvalue())
    assert (data["ok"], data["orders_checked"]) == (False, 1)
    assert [f["check"] for f in data["findings"]] == ["ledger"]


def test_the_command_passes_quietly_when_all_agrees(shipped):
    out = io.StringIO()

    call_command("audit", stdout=out)

    assert "Audit passed" in out.getvalue()
