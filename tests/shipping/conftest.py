"""Fixtures of the shipping tests: booking a shipment and fault plans."""

from __future__ import annotations

import pytest

from faults.services import fault_plan_set
from shipping.services import shipment_create

OP = "op-ship"
ADDRESS = {"name": "Ada Lovelace", "line1": "12 St James's Sq", "city": "London"}
CREATE_KEY = f"checkout:{OP}:create-shipment"


@pytest.fixture
def book(db):
    """Return a function that books the shipment of OP."""
    return lambda: shipment_create(
        operation_id=OP, address=ADDRESS, idempotency_key=CREATE_KEY
    )


@pytest.fixture
def plan_faults(settings):
    """Return a function that switches fault injection on and plans faults."""
    settings.FAULT_INJECTION = True

    def plan_faults(operation_id: str, plan: dict[str, str]) -> None:
        fault_plan_set(operation_id=operation_id, plan=plan)

    return plan_faults
