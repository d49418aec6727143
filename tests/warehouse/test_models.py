"""The database itself refuses impossible stock levels (CHECK constraints)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from warehouse.models import StockItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change",
    [
        {"reserved": F("on_hand") + 1},
        {"reserved": -1},
        {"on_hand": -1, "reserved": -1},
        {"on_hand": 1, "reserved": 2},
    ],
    ids=["reserved-above-on-hand", "negative-reserved", "negative-on-hand", "oversold"],
)
def test_check_constraints_reject_impossible_stock(stock, item, change):
    stock(A=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.filter(sku="A").update(**change)
    assert (item("A").on_hand, item("A").reserved) == (3, 0)
