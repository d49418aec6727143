"""checkout_start: the order, its fault plan and its saga run commit together."""

from __future__ import annotations

import pytest

from faults.models import FaultPlan
from orders.exceptions import UnknownProduct
from orders.models import Order
from sagas.models import SagaRun
from warehouse.models import StockItem

pytestmark = pytest.mark.django_db(transaction=True)

CHARGE_ONCE = {"payments.charge": "transient:1"}


def test_an_order_refused_before_it_exists_leaves_no_fault_plan(checkout):
    with pytest.raises(UnknownProduct):
        checkout(faults=CHARGE_ONCE, lines=[{"sku": "NOPE-1", "quantity": 1}])

    assert not Order.objects.exists()
    assert not FaultPlan.objects.exists()
    assert not SagaRun.objects.exists()


def test_a_repeated_checkout_keeps_the_first_ones_fault_counters(checkout):
    first = checkout(faults=CHARGE_ONCE, key="same")
    fired = FaultPlan.objects.get().counters

    again = checkout(faults=CHARGE_ONCE, key="same")

    assert (again.order.pk, again.run.pk) == (first.order.pk, first.run.pk)
    assert fired == {"payments.charge": 1}
    assert FaultPlan.objects.get().counters == fired


def test_an_order_whose_run_cannot_be_recorded_is_not_kept(checkout, monkeypatch):
    """There is never an order that no saga will move."""

    def broken(**kwargs):
        raise RuntimeError("the run could not be stored")

    monkeypatch.setattr("orders.checkout.services.saga_record", broken)

    with pytest.raises(RuntimeError):
        checkout(faults=CHARGE_ONCE)

    assert not Order.objects.exists()
    assert not FaultPlan.objects.exists()


def test_in_worker_mode_the_stock_is_held_and_the_rest_waits_for_a_worker(
    checkout, settings, monkeypatch
):
    """The hold runs in the request even then: a refusal is answered at once."""
    settings.CHECKOUT_EXECUTION = "worker"
    queued: list[int] = []
    monkeypatch.setattr(
        "orders.checkout.services.checkout_enqueue",
        lambda *, run_id: queued.append(run_id),
    )

    result = checkout()

    assert (result.order.state, result.run.status) == ("created", "running")
    assert result.run.lease_owner == ""
    assert queued == [result.run.pk]
    assert [row.status for row in result.run.step_rows] == ["completed"] + [
        "pending"
    ] * 6
    assert StockItem.objects.get(sku="TEE-001").reserved == 2
