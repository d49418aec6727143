"""order_evidence(): the facts come from the other services' selectors."""

from __future__ import annotations

import sys
from types import ModuleType, SimpleNamespace

import pytest

from orders.evidence import order_evidence
from orders.guards import OrderEvidence, charge_covers_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_calls(monkeypatch) -> list[tuple[str, dict]]:
    """Install stand-ins for the selectors of payments, warehouse and shipping."""
    calls: list[tuple[str, dict]] = []

    def recorder(name, result):
        def selector(**kwargs):
            calls.append((name, kwargs))
            return result

        return selector

    fakes = {
        "payments.selectors": {
            "payment_totals": SimpleNamespace(captured_minor=4800, refunded_minor=800)
        },
        "warehouse.selectors": {
            "reservations_confirmed": True,
            "stock_returned": False,
        },
        "shipping.selectors": {"shipment_active": True},
    }
    for module_name, selectors in fakes.items():
        module = ModuleType(module_name)
        for name, result in selectors.items():
            setattr(module, name, recorder(name, result))
        monkeypatch.setitem(sys.modules, module_name, module)
    return calls


def test_order_evidence_asks_each_service_by_operation_id(order, service_calls):
    """Every selector is asked about the order's operation id (and its SKUs)."""
    evidence = order_evidence(order=order)

    facts = OrderEvidence(
        total_minor=evidence.total_minor,
        captured_minor=evidence.captured_minor,
        refunded_minor=evidence.refunded_minor,
        reservations_confirmed=evidence.reservations_confirmed,
        stock_returned=evidence.stock_returned,
        shipment_active=evidence.shipment_active,
    )
    assert facts == OrderEvidence(
        total_minor=4800,
        captured_minor=4800,
        refunded_minor=800,
        reservations_confirmed=True,
        stock_returned=False,
        shipment_active=True,
    )
    op = order.operation_id
    assert sorted(service_calls, key=lambda call: call[0]) == [
        ("payment_totals", {"operation_id": op}),
        ("reservations_confirmed", {"operation_id": op, "skus": ["TEE-001"]}),
        ("shipment_active", {"operation_id": op}),
        ("stock_returned", {"operation_id": op}),
    ]


def test_order_evidence_asks_only_what_a_guard_reads(order, service_calls):
    """A guard that reads the ledger does not make the other services answer."""
    evidence = order_evidence(order=order)

    assert charge_covers_total(evidence) is False  # 4800 - 800 < 4800
    assert charge_covers_total(evidence) is False

    assert service_calls == [("payment_totals", {"operation_id": order.operation_id})]


def test_a_fact_a_service_just_answered_is_not_asked_again(order, service_calls):
    """The step hands over what the shipping service told it: no second question."""
    evidence = order_evidence(order=order, shipment_active=False)

    assert evidence.shipment_active is False
    assert service_calls == []


def test_only_facts_the_services_answer_can_be_handed_over(order):
    with pytest.raises(TypeError, match="total_minor"):
        order_evidence(order=order, total_minor=0)
    with pytest.raises(TypeError, match="paid"):
        order_evidence(order=order, paid=True)
