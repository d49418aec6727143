"""A checkout stuck in its refund, found in the review queue and finished by a reviewer.

Shipping fails and so does the refund: the run waits in ``needs_review`` and the
order stays ``reserved``. Once the payment processor is back (the fault plan is
cleared), the reviewer retries the compensations from the admin.
"""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from faults.services import fault_plan_clear
from orders.audit import audit_problems
from orders.checkout.services import CheckoutResult
from payments.models import Refund
from sagas.models import SagaReviewAction, SagaRun

# The checkout's saga commits step by step (durable transactions).
pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = reverse("admin:sagas_sagarun_changelist")
STUCK = {"shipping.create": "error", "payments.refund": "error"}


@pytest.fixture
def stuck(checkout) -> CheckoutResult:
    result = checkout(faults=STUCK)
    assert result.run.status == SagaRun.Status.NEEDS_REVIEW
    assert result.order.state == "reserved"
    return result


def run_page(run: SagaRun) -> str:
    return reverse("admin:sagas_sagarun_change", args=[run.pk])


def retry_compensations(client, run: SagaRun, note: str):
    url = reverse("admin:sagas_sagarun_retry_compensations", args=[run.pk])
    response = client.post(url, {"note": note})
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_the_queue_shows_the_orders_state_total_and_link(reviewer_client, stuck):
    html = reviewer_client.get(QUEUE).content.decode()

    order_url = reverse("admin:orders_order_change", args=[stuck.order.pk])
    assert f'<a href="{order_url}">{str(stuck.order.pk)[:8]}</a>' in html
    assert '<td class="field-subject_state">Reserved</td>' in html
    assert '<td class="field-subject_total">52.50 EUR</td>' in html


def test_the_queue_finds_the_run_by_order_id(reviewer_client, stuck, checkout):
    checkout()  # another order, which must not match

    response = reviewer_client.get(QUEUE, {"q": str(stuck.order.pk)})

    assert [run.pk for run in response.context["cl"].result_list] == [stuck.run.pk]


def test_the_run_page_links_to_the_order_and_back(reviewer_client, stuck):
    order_url = reverse("admin:orders_order_change", args=[stuck.order.pk])

    run_html = reviewer_client.get(run_page(stuck.run)).content.decode()
    order_html = reviewer_client.get(order_url).content.decode()

    assert f'href="{order_url}"' in run_html
    assert f'href="{run_page(stuck.run)}"' in order_html


def test_the_run_page_highlights_the_charge_id(reviewer_client, stuck):
    rows = reviewer_client.get(run_page(stuck.run)).context["state_rows"]

    charge = next(row for row in rows if row.key == "charge_id")
    assert charge.external
    assert charge.saved_by == "charge-card"
    assert str(charge.value).startswith("ch_")


def test_the_order_page_shows_the_charge_and_released_reservations(
    reviewer_client, stuck
):
    order_url = reverse("admin:orders_order_change", args=[stuck.order.pk])

    response = reviewer_client.get(order_url)

    assert [charge.external_id for charge, _ in response.context["charges"]] == [
        stuck.run.state["charge_id"]
    ]
    assert response.context["refunds"] == []
    statuses = {r.status for r in response.context["reservations"]}
    assert statuses == {"released"}
    assert response.context["shipment"] is None


def test_retrying_compensations_once_the_processor_is_back_refunds_the_order(
    reviewer_client, reviewer, stuck
):
    fault_plan_clear(operation_id=stuck.order.operation_id)

    response, texts = retry_compensations(
        reviewer_client, stuck.run, note="PSP incident over, refunding"
    )

    assert response.status_code == 302
    stuck.order.refresh_from_db()
    stuck.run.refresh_from_db()
    assert stuck.order.state == "refunded"
    assert stuck.run.status == SagaRun.Status.COMPENSATED
    assert Refund.objects.get().amount_minor == 5250
    assert audit_problems() == []
    assert texts == [
        "Compensations retried: the run is now compensated; order "
        f"{str(stuck.order.pk)[:8]}: state Refunded, total 52.50 EUR."
    ]


def test_the_retry_is_in_the_audit_trail_and_the_admin_log(
    reviewer_client, reviewer, stuck
):
    fault_plan_clear(operation_id=stuck.order.operation_id)

    retry_compensations(reviewer_client, stuck.run, note="PSP incident over")

    action = SagaReviewAction.objects.get()
    assert (action.run_id, action.actor, action.note, action.result) == (
        stuck.run.pk,
        reviewer,
        "PSP incident over",
        "compensated",
    )
    entry = LogEntry.objects.get(object_id=str(stuck.run.pk))
    assert entry.user == reviewer
    assert "PSP incident over" in entry.change_message


def test_a_retry_while_the_processor_is_still_down_changes_nothing(
    reviewer_client, stuck
):
    _, texts = retry_compensations(reviewer_client, stuck.run, note="is it back?")

    stuck.order.refresh_from_db()
    assert stuck.order.state == "reserved"
    assert Refund.objects.count() == 0
    assert "It still needs review" in texts[0]
    assert audit_problems() == []


def test_the_onlooker_cannot_retry(onlooker_client, stuck):
    fault_plan_clear(operation_id=stuck.order.operation_id)

    response, _ = retry_compensations(onlooker_client, stuck.run, note="let me")

    assert response.status_code == 403
    stuck.order.refresh_from_db()
    assert stuck.order.state == "reserved"
    assert not SagaReviewAction.objects.exists()
