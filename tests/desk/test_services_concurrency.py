"""The same refund form sent twice at once, on PostgreSQL: one refund, one action."""

from __future__ import annotations

from collections import Counter

import pytest

from desk.models import DeskAction
from desk.services import desk_refund
from payments.selectors import refunds_for
from tests.warehouse.test_services_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_submissions_of_one_refund_form_racing_refund_once(shipped):
    def submit(n: int) -> int:
        action = desk_refund(
            order=shipped,
            actor="admin:agent",
            reason="Double click",
            idempotency_key="desk-refund:same-form",
            amount_minor=700,
        )
        return action.pk

    outcomes = race(4, 4, submit)

    # Every submission answers with the one action.
    assert outcomes == Counter({DeskAction.objects.get().pk: 4})
    assert [r.amount_minor for r in refunds_for(operation_id=shipped.operation_id)] == [
        700
    ]
