"""Returns in the review queue: each run named by its return and linked to its order."""

from __future__ import annotations

import pytest

from aftersales.subjects import return_search, return_subjects
from sagas.api import run_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_return_run_is_described_by_its_return_and_order(give_back):
    ret = give_back(faults={"payments.return_refund": "error"}).ret
    assert run_for(saga="return", operation_id=ret.operation_id).status == (
        "needs_review"
    )

    subject = return_subjects([ret.operation_id])[ret.operation_id]

    assert subject.label == f"return {str(ret.pk)[:8]}"
    assert subject.url == f"/admin/orders/order/{ret.order_id}/change/"
    assert subject.fields["refund"] == "20.00 EUR"


def test_returns_are_found_by_their_order_id(give_back):
    ret = give_back().ret

    assert return_search(str(ret.order_id)[:8]) == [ret.operation_id]
    assert return_search("abc") == []
