"""Fixtures of the payments tests: a charge request and fault plans."""

from __future__ import annotations

import pytest

from faults.services import fault_plan_set
from payments.services import payment_charge

OP = "op-pay"


@pytest.fixture
def charge_card(db):
    """Return a function that charges 2500 EUR cents for OP (overridable)."""

    def charge_card(**overrides):
        request = {
            "operation_id": OP,
            "amount_minor": 2500,
            "currency": "EUR",
            "token": "tok_visa",
            "idempotency_key": f"checkout:{OP}:charge-card",
            **overrides,
        }
        return payment_charge(**request)

    return charge_card


@pytest.fixture
def plan_faults(settings):
    """Return a function that switches fault injection on and plans faults."""
    settings.FAULT_INJECTION = True

    def plan_faults(operation_id: str, plan: dict[str, str]) -> None:
        fault_plan_set(operation_id=operation_id, plan=plan)

    return plan_faults
