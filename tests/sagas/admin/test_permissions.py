"""Who may do what on the review screens: look needs staff, act needs the permission."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from sagas.models import SagaReviewAction, SagaRun
from tests.sagas.admin.conftest import logged_in, staff_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:sagas_sagarun_changelist")


def page(run: SagaRun) -> str:
    return reverse("admin:sagas_sagarun_change", args=[run.pk])


def action_url(run: SagaRun, action: str = "retry_compensations") -> str:
    return reverse(f"admin:sagas_sagarun_{action}", args=[run.pk])


def nothing_changed(run: SagaRun) -> bool:
    run.refresh_from_db()
    return (
        run.status == SagaRun.Status.NEEDS_REVIEW
        and not SagaReviewAction.objects.exists()
        and not LogEntry.objects.exists()
    )


def test_anonymous_is_sent_to_the_admin_login(client, stuck_refund):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_anonymous_post_to_an_action_is_sent_to_login_and_changes_nothing(
    client, stuck_refund, service
):
    service.heal("refund")

    response = client.post(action_url(stuck_refund), {"note": "sneaky"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert nothing_changed(stuck_refund)


def test_staff_without_view_permission_cannot_open_the_queue(django_user_model):
    client = logged_in(staff_user(django_user_model, "nobody"))

    assert client.get(QUEUE).status_code == 403


def test_the_review_permission_alone_is_enough_to_look(django_user_model, stuck_refund):
    """A reviewer granted only sagas.review_sagarun still sees what to act on."""
    client = logged_in(staff_user(django_user_model, "rev", "review_sagarun"))

    assert client.get(QUEUE).status_code == 200
    assert client.get(page(stuck_refund)).status_code == 200


def test_viewer_sees_the_queue_and_the_run_page(viewer_client, stuck_refund):
    queue = viewer_client.get(QUEUE)
    run_page = viewer_client.get(page(stuck_refund))

    assert queue.status_code == 200
    assert "op-stuck" in queue.content.decode()
    assert run_page.status_code == 200
    assert 'id="timeline"' in run_page.content.decode()


def test_viewer_is_shown_no_action_forms(viewer_client, stuck_refund):
    """The page explains why instead of offering buttons that would be refused."""
    html = viewer_client.get(page(stuck_refund)).content.decode()

    assert 'id="retry-compensations"' not in html
    assert 'id="retry-step"' not in html
    assert 'id="resolve-step"' not in html
    assert "You can look at this run but not act on it" in html


@pytest.mark.parametrize(
    "action", ["retry_compensations", "retry_step", "resolve_step"]
)
def test_viewer_post_to_an_action_is_forbidden_and_changes_nothing(
    viewer_client, stuck_refund, service, action
):
    service.heal("refund")
    data = {"note": "let me", "step": "charge", "outcome": "completed"}

    response = viewer_client.post(action_url(stuck_refund, action), data)

    assert response.status_code == 403
    assert nothing_changed(stuck_refund)


def test_reviewer_is_offered_the_actions_that_apply(reviewer_client, stuck_refund):
    """A stuck refund: retry the compensations, or retry / resolve the charge step."""
    response = reviewer_client.get(page(stuck_refund))

    html = response.content.decode()
    assert 'id="retry-compensations"' in html
    assert 'id="retry-step"' in html
    assert 'id="resolve-step"' in html
    assert response.context["choices"].resolve_steps == ["charge"]


def test_reviewer_is_offered_nothing_on_a_finished_run(reviewer_client, completed_run):
    html = reviewer_client.get(page(completed_run)).content.decode()

    assert 'id="retry-compensations"' not in html
    assert "Nothing to review: the run is completed." in html


def test_an_action_url_answers_only_post(reviewer_client, stuck_refund):
    assert reviewer_client.get(action_url(stuck_refund)).status_code == 405
