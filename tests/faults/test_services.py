"""fault_plan_set() and fault_plan_clear(): validated plans, only when enabled."""

from __future__ import annotations

import pytest

from faults.exceptions import FaultInjectionDisabled, InvalidFaultPlan
from faults.models import FaultPlan
from faults.modes import FAULT_POINTS
from faults.selectors import fault_plan_get
from faults.services import fault_plan_clear, fault_plan_set

pytestmark = pytest.mark.django_db

OPERATION = "op-faults"


def test_fault_plan_set_is_refused_when_fault_injection_is_off(settings):
    settings.FAULT_INJECTION = False
    with pytest.raises(FaultInjectionDisabled) as raised:
        fault_plan_set(operation_id=OPERATION, plan={"payments.charge": "error"})
    assert (raised.value.code, raised.value.status) == ("fault_injection_disabled", 400)
    assert not FaultPlan.objects.exists()


@pytest.mark.usefixtures("fault_injection")
def test_fault_plan_set_stores_the_plan_of_the_operation():
    fault_plan_set(
        operation_id=OPERATION,
        plan={"payments.charge": "transient:2", "shipping.create": " timeout "},
    )
    assert fault_plan_get(operation_id=OPERATION) == {
        "payments.charge": "transient:2",
        "shipping.create": "timeout",
    }


@pytest.mark.usefixtures("fault_injection")
def test_fault_plan_set_refuses_an_unknown_point_and_lists_the_valid_ones():
    with pytest.raises(InvalidFaultPlan) as raised:
        fault_plan_set(operation_id=OPERATION, plan={"payments.steal": "error"})
    assert raised.value.code == "invalid_fault_plan"
    assert raised.value.extra["errors"] == {"payments.steal": "unknown fault point"}
    assert raised.value.extra["valid_points"] == list(FAULT_POINTS)
    assert not FaultPlan.objects.exists()


@pytest.mark.usefixtures("fault_injection")
def test_fault_plan_set_refuses_an_unknown_mode():
    with pytest.raises(InvalidFaultPlan) as raised:
        fault_plan_set(operation_id=OPERATION, plan={"payments.charge": "explode"})
    assert list(raised.value.extra["errors"]) == ["payments.charge"]
    assert not FaultPlan.objects.exists()


@pytest.mark.usefixtures("fault_injection")
def test_fault_plan_set_refuses_a_plan_that_is_not_an_object():
    with pytest.raises(InvalidFaultPlan):
        fault_plan_set(operation_id=OPERATION, plan=["payments.charge"])


@pytest.mark.usefixtures("fault_injection")
def test_fault_plan_set_again_replaces_the_plan_and_resets_its_counters():
    first = fault_plan_set(operation_id=OPERATION, plan={"payments.charge": "error"})
    FaultPlan.objects.filter(pk=first.pk).update(counters={"payments.charge": 1})
    fault_plan_set(operation_id=OPERATION, plan={"warehouse.hold": "transient"})
    stored = FaultPlan.objects.get()
    assert (stored.plan, stored.counters) == ({"warehouse.hold": "transient"}, {})
    assert stored.version == first.version + 1


@pytest.mark.usefixtures("fault_injection")
def test_fault_plan_set_with_an_empty_plan_removes_the_plan():
    fault_plan_set(operation_id=OPERATION, plan={"payments.charge": "error"})
    assert fault_plan_set(operation_id=OPERATION, plan={}) is None
    assert not FaultPlan.objects.exists()


def test_fault_plan_clear_removes_the_plan_even_with_fault_injection_off(settings):
    settings.FAULT_INJECTION = False
    FaultPlan.objects.create(operation_id=OPERATION, plan={"payments.charge": "error"})
    fault_plan_clear(operation_id=OPERATION)
    assert fault_plan_get(operation_id=OPERATION) == {}
