"""return_start: what a return refunds, in a worker or inline, and under a race."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from aftersales.exceptions import ReturnTooLarge
from aftersales.models import Return
from aftersales.services import refund_start, return_start
from aftersales.tasks import aftersales_resume
from orders.models import Order
from payments.models import Refund
from sagas.models import SagaRun
from tests.aftersales.conftest import TOTAL_MINOR

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_runs_a_return_accepted_in_worker_mode(give_back, settings):
    settings.CHECKOUT_EXECUTION = "worker"
    result = give_back()
    assert result.ret.state == Return.State.REQUESTED

    assert aftersales_resume(result.run.pk) == SagaRun.Status.COMPLETED
    assert Return.objects.get().state == Return.State.REFUNDED


def test_a_return_after_a_goodwill_refund_refunds_what_remains(shipped, give_back):
    """Units back after most of the money went back: only the rest is refunded."""
    refund_start(
        order=shipped,
        reason="Late",
        idempotency_key="goodwill",
        actor="staff:carol",
        amount_minor=TOTAL_MINOR - 250,
    )

    result = give_back(lines=[{"sku": "TEE-001", "quantity": 2}])

    assert result.ret.refund_minor == 250
    assert sum(Refund.objects.values_list("amount_minor", flat=True)) == TOTAL_MINOR
    assert Order.objects.get().state == "refunded"


@pytest.mark.postgres
def test_two_returns_of_the_same_units_racing_make_one_return(shipped, buyer):
    """The order's row lock: only one of them finds the two T-shirts returnable."""
    workers = 4
    barrier = threading.Barrier(workers)

    def attempt(n: int) -> str:
        try:
            barrier.wait(timeout=60)
            return_start(
                order=Order.objects.get(pk=shipped.pk),
                user=buyer,
                idempotency_key=f"race-{n}",
                lines=[{"sku": "TEE-001", "quantity": 2}],
                reason="",
            )
            return "returned"
        except ReturnTooLarge:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = Counter(pool.map(attempt, range(workers), timeout=120))

    assert outcomes == Counter(returned=1, refused=workers - 1)
    assert Return.objects.get().state == Return.State.REFUNDED
