"""Injected faults at shipping.create and shipping.cancel, mode by mode."""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from faults import hooks
from faults.exceptions import InjectedFault
from shipping.models import Shipment
from shipping.services import shipment_cancel, shipment_create, shipment_reconcile
from shipping.simulator.models import CarrierShipment
from tests.faults.child_process import run_in_child
from tests.shipping.conftest import ADDRESS, CREATE_KEY, OP


def create() -> None:
    shipment_create(operation_id=OP, address=ADDRESS, idempotency_key=CREATE_KEY)


def cancel() -> None:
    shipment_cancel(operation_id=OP, idempotency_key="cancel-key")


def state() -> tuple[str | None, str | None]:
    """Return the carrier's status and ours."""
    at_carrier = CarrierShipment.objects.first()
    ours = Shipment.objects.first()
    return (at_carrier and at_carrier.status, ours and ours.status)


@dataclass(frozen=True)
class Case:
    point: str
    setup: Callable[[], None] | None
    call: Callable[[], None]
    before: tuple[str | None, str | None]
    # The carrier acted but we never heard its answer (timeout, crash).
    unrecorded: tuple[str | None, str | None]
    recorded: tuple[str | None, str | None]


CASES = [
    Case(
        "shipping.create",
        None,
        create,
        before=(None, None),
        unrecorded=("created", None),
        recorded=("created", "active"),
    ),
    Case(
        "shipping.cancel",
        create,
        cancel,
        before=("created", "active"),
        unrecorded=("cancelled", "active"),
        recorded=("cancelled", "cancelled"),
    ),
]


@pytest.fixture(params=CASES, ids=lambda case: case.point)
def case(request, db) -> Case:
    """Prepare the operation for the fault point under test."""
    if request.param.setup:
        request.param.setup()
    return request.param


@pytest.fixture
def plan(case, plan_faults) -> Callable[[str], None]:
    """Return a function that plans ``mode`` at the point under test."""
    return lambda mode: plan_faults(OP, {case.point: mode})


@pytest.mark.django_db
def test_error_fails_every_time_before_the_carrier_acts(case, plan):
    plan("error")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            case.call()
    assert state() == case.before


@pytest.mark.django_db
def test_transient_fails_twice_then_works_once(case, plan):
    plan("transient:2")
    for _ in range(2):
        with pytest.raises(InjectedFault):
            case.call()
    case.call()
    assert state() == case.recorded
    assert CarrierShipment.objects.count() == 1


@pytest.mark.django_db
def test_timeout_leaves_the_effect_at_the_carrier_only(case, plan):
    plan("timeout")
    with pytest.raises(TimeoutError):
        case.call()
    assert state() == case.unrecorded


@pytest.mark.django_db
def test_a_retry_after_a_timeout_records_the_same_shipment_once(case, plan):
    plan("timeout")
    with pytest.raises(TimeoutError):
        case.call()
    case.call()
    assert state() == case.recorded
    assert CarrierShipment.objects.count() == 1


@pytest.mark.django_db
def test_latency_delays_the_call_which_then_works(case, plan, monkeypatch):
    slept = []
    monkeypatch.setattr(hooks.time, "sleep", slept.append)
    plan("latency:20")
    case.call()
    assert (state(), slept) == (case.recorded, [0.02])


@pytest.mark.django_db(transaction=True)
def test_crash_leaves_the_effect_at_the_carrier_and_kills_the_worker(case, plan):
    plan("crash")
    assert run_in_child(case.call) == -signal.SIGKILL
    assert state() == case.unrecorded


@pytest.mark.django_db
def test_reconcile_after_a_create_timeout_records_exactly_one_shipment(plan_faults):
    plan_faults(OP, {"shipping.create": "timeout"})
    with pytest.raises(TimeoutError):
        create()
    shipment = shipment_reconcile(
        operation_id=OP, idempotency_key=CREATE_KEY, address=ADDRESS
    )
    assert shipment.external_id == CarrierShipment.objects.get().shipment_id
    assert state() == ("created", "active")
