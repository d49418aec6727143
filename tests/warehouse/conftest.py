"""Fixtures of the warehouse tests: stock levels and fault plans."""

from __future__ import annotations

import pytest

from faults.services import fault_plan_set
from warehouse.models import StockItem
from warehouse.services import stock_set


@pytest.fixture
def stock(db):
    """Return a function that sets the stock of SKUs: ``stock(A=5, B=1)``."""

    def stock(**levels: int) -> None:
        for sku, on_hand in levels.items():
            stock_set(sku=sku, on_hand=on_hand)

    return stock


@pytest.fixture
def item():
    """Return a function that reads a SKU's stock row afresh."""
    return lambda sku: StockItem.objects.get(sku=sku)


@pytest.fixture
def plan_faults(settings):
    """Return a function that switches fault injection on and plans faults."""
    settings.FAULT_INJECTION = True

    def plan_faults(operation_id: str, plan: dict[str, str]) -> None:
        fault_plan_set(operation_id=operation_id, plan=plan)

    return plan_faults
