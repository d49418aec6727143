"""sagas/review.py: an action needs the permission and a note, and leaves a trace."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission

from sagas.exceptions import (
    InvalidReviewAction,
    ReviewNotAllowed,
    ReviewNoteRequired,
)
from sagas.models import SagaReviewAction, SagaRun
from sagas.review import review_resolve_step, review_retry_compensations
from sagas.services import saga_start
from tests.sagas.toys import step_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user("rita", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_sagarun"))
    return user


@pytest.fixture
def onlooker(django_user_model):
    return django_user_model.objects.create_user("otto", is_staff=True)


def test_acting_without_the_permission_is_refused_before_anything_happens(
    stuck_refund, onlooker, service
):
    service.heal("refund")

    with pytest.raises(ReviewNotAllowed):
        review_retry_compensations(run_id=stuck_refund.pk, user=onlooker, note="hi")

    stuck_refund.refresh_from_db()
    assert stuck_refund.status == SagaRun.Status.NEEDS_REVIEW
    assert not SagaReviewAction.objects.exists()


@pytest.mark.parametrize("note", ["", "   \n"])
def test_acting_without_a_note_is_refused(stuck_refund, reviewer, note):
    with pytest.raises(ReviewNoteRequired):
        review_retry_compensations(run_id=stuck_refund.pk, user=reviewer, note=note)

    assert not SagaReviewAction.objects.exists()


def test_an_action_records_who_what_why_and_the_result(stuck_refund, reviewer, service):
    service.heal("refund")

    run = review_retry_compensations(
        run_id=stuck_refund.pk, user=reviewer, note="  bank is back  "
    )

    assert run.status == SagaRun.Status.COMPENSATED
    action = SagaReviewAction.objects.get()
    assert (action.actor, action.action, action.note, action.result, action.error) == (
        reviewer,
        "retry_compensations",
        "bank is back",
        "compensated",
        "",
    )


def test_an_action_is_mirrored_in_the_admin_log(stuck_refund, reviewer, service):
    service.heal("refund")

    review_retry_compensations(run_id=stuck_refund.pk, user=reviewer, note="back")

    entry = LogEntry.objects.get()
    assert entry.get_edited_object() == stuck_refund
    assert entry.change_message == "Retried the compensations -> compensated: back"


def test_a_refused_action_is_kept_with_the_engines_reason(reviewer, service, state):
    run = saga_start(saga="toy-order", operation_id="op-fine", state=state).run

    with pytest.raises(InvalidReviewAction):
        review_retry_compensations(run_id=run.pk, user=reviewer, note="just in case")

    action = SagaReviewAction.objects.get()
    assert (action.result, action.error) == (
        "refused",
        "The run does not need a review.",
    )


def test_the_engine_hears_the_reviewer_as_an_admin_actor(stuck_refund, reviewer):
    review_resolve_step(
        run_id=stuck_refund.pk,
        step_name="charge",
        outcome="completed",
        user=reviewer,
        note="refunded in the dashboard",
    )

    charge = step_row(stuck_refund, "charge")
    assert charge.note == "completed (by admin:rita): refunded in the dashboard"


def test_resolving_with_an_unknown_outcome_is_refused_unrecorded(
    stuck_refund, reviewer
):
    with pytest.raises(InvalidReviewAction):
        review_resolve_step(
            run_id=stuck_refund.pk,
            step_name="charge",
            outcome="maybe",
            user=reviewer,
            note="not sure",
        )

    assert not SagaReviewAction.objects.exists()
