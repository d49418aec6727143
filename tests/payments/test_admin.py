"""The payment admin lists the ledger and the processor's records, read-only."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["charge", "refund", "processorcharge", "processorrefund"]
)
def test_payment_records_are_listed_and_cannot_be_added(admin_client, model):
    assert admin_client.get(f"/admin/payments/{model}/").status_code == 200
    assert admin_client.get(f"/admin/payments/{model}/add/").status_code == 403
