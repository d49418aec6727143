"""Injected faults at payments.charge and payments.refund, mode by mode."""

from __future__ import annotations

import signal
from collections.abc import Callable

import pytest

from faults import hooks
from faults.exceptions import InjectedFault
from payments.models import Charge, Refund
from payments.services import (
    payment_charge,
    payment_reconcile_charge,
    payment_reconcile_refund,
    payment_refund,
)
from payments.simulator.models import ProcessorCharge, ProcessorRefund
from tests.faults.child_process import run_in_child
from tests.payments.conftest import OP

CHARGE = {
    "operation_id": OP,
    "amount_minor": 2500,
    "currency": "EUR",
    "token": "tok_visa",
    "idempotency_key": "charge-key",
}
REFUND = {"operation_id": OP, "idempotency_key": "refund-key"}


def charge() -> None:
    payment_charge(**CHARGE)


def refund() -> None:
    payment_refund(**REFUND)


def counts(point: str) -> tuple[int, int]:
    """Return (processor records, ledger rows) of the point's kind."""
    if point == "payments.charge":
        return ProcessorCharge.objects.count(), Charge.objects.count()
    return ProcessorRefund.objects.count(), Refund.objects.count()


CALLS = {"payments.charge": charge, "payments.refund": refund}


@pytest.fixture(params=list(CALLS))
def point(request, db) -> str:
    if request.param == "payments.refund":
        charge()
    return request.param


@pytest.fixture
def plan(point, plan_faults) -> Callable[[str], None]:
    return lambda mode: plan_faults(OP, {point: mode})


@pytest.mark.django_db
def test_error_fails_every_time_before_the_processor_is_called(point, plan):
    plan("error")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            CALLS[point]()
    assert counts(point) == (0, 0)


@pytest.mark.django_db
def test_transient_fails_twice_then_charges_once(point, plan):
    plan("transient:2")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            CALLS[point]()
    CALLS[point]()
    assert counts(point) == (1, 1)


@pytest.mark.django_db
def test_timeout_leaves_the_effect_at_the_processor_only(point, plan):
    plan("timeout")
    with pytest.raises(TimeoutError):
        CALLS[point]()
    assert counts(point) == (1, 0)


@pytest.mark.django_db
def test_a_retry_after_a_timeout_records_the_same_effect_once(point, plan):
    plan("timeout")
    with pytest.raises(TimeoutError):
        CALLS[point]()
    CALLS[point]()
    assert counts(point) == (1, 1)


@pytest.mark.django_db
def test_latency_delays_the_call_which_then_works(point, plan, monkeypatch):
    slept = []
    monkeypatch.setattr(hooks.time, "sleep", slept.append)
    plan("latency:20")
    CALLS[point]()
    assert (counts(point), slept) == ((1, 1), [0.02])


@pytest.mark.django_db(transaction=True)
def test_crash_leaves_the_effect_at_the_processor_and_kills_the_worker(point, plan):
    plan("crash")
    assert run_in_child(CALLS[point]) == -signal.SIGKILL
    assert counts(point) == (1, 0)


@pytest.mark.django_db
def test_reconcile_after_a_charge_timeout_records_exactly_one_charge(plan_faults):
    plan_faults(OP, {"payments.charge": "timeout"})
    with pytest.raises(TimeoutError):
        charge()
    reconciled = payment_reconcile_charge(
        operation_id=OP, idempotency_key="charge-key", amount_minor=2500, currency="EUR"
    )
    assert reconciled.external_id == ProcessorCharge.objects.get().charge_id
    assert counts("payments.charge") == (1, 1)


@pytest.mark.django_db
def test_reconcile_after_a_refund_timeout_records_exactly_one_refund(plan_faults):
    charge()
    plan_faults(OP, {"payments.refund": "timeout"})
    with pytest.raises(TimeoutError):
        refund()
    reconciled = payment_reconcile_refund(**REFUND)
    assert reconciled.external_id == ProcessorRefund.objects.get().refund_id
    assert counts("payments.refund") == (1, 1)
