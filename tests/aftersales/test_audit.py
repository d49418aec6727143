"""What ``manage.py audit`` finds after the pivot, when the records disagree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.audit import audit_run
from payments.models import Charge
from payments.refunds import payment_refund_amount
from sagas.models import SagaRun
from warehouse.models import StockMovement

pytestmark = pytest.mark.django_db(transaction=True)


def findings(check: str) -> list[str]:
    return [f.problem for f in audit_run().findings if f.check == check]


def test_a_returned_unit_without_its_stock_movement_is_reported(give_back):
    result = give_back()
    StockMovement.objects.filter(reason="returned").delete()

    assert findings("returns") == ["TEE-001: 1 units returned, 0 put back on stock"]
    assert [f.subject for f in audit_run().findings if f.check == "returns"] == [
        result.ret.operation_id
    ]


def test_a_refund_no_return_explains_is_reported(shipped):
    """Money taken back from a shipped order outside a return or refund."""
    payment_refund_amount(
        operation_id=shipped.operation_id, idempotency_key="rogue", amount_minor=1000
    )

    assert findings("returns") == ["refunded 1000 but its returns refunded 0"]


def test_refunds_beyond_the_charge_are_reported(give_back):
    give_back()
    # The allowance forgot what was taken: a refund could now go past the charge.
    Charge.objects.update(refund_held_minor=0)

    assert findings("refunds") == [
        "allowance taken 0 != refunds 2000 + pending holds 0"
    ]


def test_a_clean_return_leaves_nothing_to_report(give_back):
    give_back()

    assert audit_run().findings == []


def test_refunds_exceeding_the_capture_are_reported(give_back):
    give_back()
    charge = Charge.objects.get()
    charge.refunds.update(amount_minor=charge.amount_minor + 1)

    assert f"refunds 5251 exceed charge {charge.external_id} of 5250" in findings(
        "refunds"
    )


def test_a_return_left_running_past_its_lease_is_reported(give_back, settings):
    settings.CHECKOUT_EXECUTION = "worker"
    ret = give_back().ret  # recorded for a worker that never came
    SagaRun.objects.filter(saga="return").update(
        lease_expires_at=timezone.now() - timedelta(minutes=5)
    )

    assert [(f.check, f.subject) for f in audit_run().findings] == [
        ("saga", ret.operation_id)
    ]
