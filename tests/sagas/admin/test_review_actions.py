"""Review actions posted from the run page: each calls the engine and leaves a trace."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from sagas.models import SagaReviewAction, SagaRun
from tests.sagas.toys import step_row, step_statuses

pytestmark = pytest.mark.django_db


def post(client, run: SagaRun, action: str, **data):
    """POST a review action; return the response and the messages shown after it."""
    url = reverse(f"admin:sagas_sagarun_{action}", args=[run.pk])
    response = client.post(url, data)
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    return response, texts


def test_retrying_compensations_once_healed_ends_the_run_compensated(
    reviewer_client, reviewer, stuck_refund, service
):
    service.heal("refund")

    response, texts = post(
        reviewer_client, stuck_refund, "retry_compensations", note="bank is back"
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:sagas_sagarun_change", args=[stuck_refund.pk])
    stuck_refund.refresh_from_db()
    assert stuck_refund.status == SagaRun.Status.COMPENSATED
    assert service.effects("refund") == ["toy-order:op-stuck:charge"]
    assert texts == ["Compensations retried: the run is now compensated."]


def test_an_action_is_recorded_in_the_audit_trail_and_the_admin_log(
    reviewer_client, reviewer, stuck_refund, service
):
    service.heal("refund")

    post(reviewer_client, stuck_refund, "retry_compensations", note="bank is back")

    action = SagaReviewAction.objects.get()
    assert (action.run, action.actor, action.note) == (
        stuck_refund,
        reviewer,
        "bank is back",
    )
    assert (action.action, action.result) == ("retry_compensations", "compensated")
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (
        reviewer,
        CHANGE,
        str(stuck_refund.pk),
    )
    assert "bank is back" in entry.change_message


def test_an_empty_note_is_refused_and_nothing_happens(
    reviewer_client, stuck_refund, service
):
    service.heal("refund")

    response, texts = post(
        reviewer_client, stuck_refund, "retry_compensations", note=" "
    )

    assert response.status_code == 302
    assert texts == [
        "Nothing was done. Write a note: what you checked and why you act."
    ]
    stuck_refund.refresh_from_db()
    assert stuck_refund.status == SagaRun.Status.NEEDS_REVIEW
    assert service.effects("refund") == []
    assert not SagaReviewAction.objects.exists()
    assert not LogEntry.objects.exists()


def test_a_retry_that_fails_again_warns_and_keeps_the_run_in_review(
    reviewer_client, stuck_refund
):
    """The fault is still there: the run is back in review, the trail says so."""
    _, texts = post(reviewer_client, stuck_refund, "retry_compensations", note="try")

    stuck_refund.refresh_from_db()
    assert stuck_refund.status == SagaRun.Status.NEEDS_REVIEW
    assert texts[0].startswith("Compensations retried: the run is now needs review")
    assert "It still needs review" in texts[0]
    assert SagaReviewAction.objects.get().result == "needs_review"


def test_the_engines_refusal_is_shown_and_kept_in_the_trail(
    reviewer_client, unknown_shipment
):
    """An unknown step must be settled first: the engine says so, nothing moves."""
    _, texts = post(
        reviewer_client, unknown_shipment, "retry_compensations", note="undo it all"
    )

    assert texts == ["Nothing was done: The run did not stop in its compensations."]
    unknown_shipment.refresh_from_db()
    assert unknown_shipment.status == SagaRun.Status.NEEDS_REVIEW
    action = SagaReviewAction.objects.get()
    assert (action.result, action.error) == (
        "refused",
        "The run did not stop in its compensations.",
    )


def test_retrying_an_unknown_step_completes_the_run(reviewer_client, unknown_shipment):
    _, texts = post(
        reviewer_client, unknown_shipment, "retry_step", step="ship", note="retry it"
    )

    unknown_shipment.refresh_from_db()
    assert unknown_shipment.status == SagaRun.Status.COMPLETED
    assert texts == ["Step retried: the run is now completed."]
    assert SagaReviewAction.objects.get().step_name == "ship"


def test_resolving_an_unknown_step_as_completed_goes_forward(
    reviewer_client, unknown_shipment
):
    post(
        reviewer_client,
        unknown_shipment,
        "resolve_step",
        step="ship",
        outcome="completed",
        note="the carrier has it",
    )

    unknown_shipment.refresh_from_db()
    assert unknown_shipment.status == SagaRun.Status.COMPLETED
    ship = step_row(unknown_shipment, "ship")
    assert ship.note == "completed (by admin:reviewer): the carrier has it"
    assert SagaReviewAction.objects.get().outcome == "completed"


def test_resolving_an_unknown_step_as_not_happened_compensates(
    reviewer_client, unknown_shipment
):
    post(
        reviewer_client,
        unknown_shipment,
        "resolve_step",
        step="ship",
        outcome="not_happened",
        note="the carrier has nothing",
    )

    unknown_shipment.refresh_from_db()
    assert unknown_shipment.status == SagaRun.Status.COMPENSATED
    assert step_statuses(unknown_shipment)["ship"] == "failed"


def test_a_step_that_is_not_stuck_cannot_be_chosen(reviewer_client, unknown_shipment):
    """Only stuck steps are offered; a forged choice is refused before the engine."""
    _, texts = post(
        reviewer_client, unknown_shipment, "retry_step", step="reserve", note="why not"
    )

    assert texts[0].startswith("Nothing was done. Select a valid choice.")
    unknown_shipment.refresh_from_db()
    assert unknown_shipment.status == SagaRun.Status.NEEDS_REVIEW
    assert not SagaReviewAction.objects.exists()


def test_resolving_needs_an_outcome(reviewer_client, unknown_shipment):
    _, texts = post(
        reviewer_client, unknown_shipment, "resolve_step", step="ship", note="hmm"
    )

    assert texts == ["Nothing was done. This field is required."]
    assert not SagaReviewAction.objects.exists()
