"""The review queue: stuck runs first, filters, search, and each run's subject."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sagas import subjects
from sagas.models import SagaRun
from sagas.subjects import Subject, SubjectSource

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:sagas_sagarun_changelist")


def listed(client, **params) -> list[str]:
    """Return the operation ids the queue lists, in order."""
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return [run.operation_id for run in response.context["cl"].result_list]


@pytest.fixture
def parcels(monkeypatch) -> list[list[str]]:
    """Describe toy runs as parcels; record each describe call's operation ids."""
    calls: list[list[str]] = []

    def describe(operation_ids: list[str]) -> dict[str, Subject]:
        calls.append(sorted(operation_ids))
        return {
            op: Subject(
                label=f"P-{op}",
                url=f"/parcels/{op}/",
                fields={"state": "lost", "total": "9.99 EUR"},
            )
            for op in operation_ids
        }

    def search(term: str) -> list[str]:
        return ["op-done"] if term == "P-42" else []

    source = SubjectSource(
        noun="parcel", columns=("state", "total"), describe=describe, search=search
    )
    monkeypatch.setitem(subjects._sources, "toy-order", source)
    return calls


def test_runs_needing_review_come_first(reviewer_client, stuck_refund, completed_run):
    """The stuck run is older, yet it heads the queue."""
    assert listed(reviewer_client) == ["op-stuck", "op-done"]


def test_the_queue_filters_by_status(reviewer_client, stuck_refund, completed_run):
    assert listed(reviewer_client, status__exact="completed") == ["op-done"]


def test_the_queue_filters_by_saga(reviewer_client, stuck_refund, completed_run):
    assert listed(reviewer_client, saga__exact="toy-pivot") == []
    assert len(listed(reviewer_client, saga__exact="toy-order")) == 2


def test_the_queue_filters_by_age(reviewer_client, stuck_refund, completed_run):
    SagaRun.objects.filter(pk=stuck_refund.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )

    assert listed(reviewer_client, age="hour") == ["op-done"]
    assert listed(reviewer_client, age="older_day") == ["op-stuck"]
    assert listed(reviewer_client, age="older_week") == []


def test_the_queue_is_searchable_by_operation_id(
    reviewer_client, stuck_refund, completed_run
):
    assert listed(reviewer_client, q="stuck") == ["op-stuck"]


def test_the_queue_is_searchable_by_the_subjects_own_id(
    reviewer_client, stuck_refund, completed_run, parcels
):
    """The domain's search hook turns its id into operation ids."""
    assert listed(reviewer_client, q="P-42") == ["op-done"]


def test_each_row_shows_its_subject_link_and_fields(
    reviewer_client, stuck_refund, parcels
):
    html = reviewer_client.get(QUEUE).content.decode()

    assert '<a href="/parcels/op-stuck/">P-op-stuck</a>' in html
    assert '<td class="field-subject_state">lost</td>' in html
    assert '<td class="field-subject_total">9.99 EUR</td>' in html


def test_subjects_are_described_once_for_the_whole_page(
    reviewer_client, stuck_refund, completed_run, parcels
):
    reviewer_client.get(QUEUE)

    assert parcels == [["op-done", "op-stuck"]]


def test_a_run_without_a_subject_source_shows_dashes(reviewer_client, stuck_refund):
    response = reviewer_client.get(QUEUE)

    assert '<td class="field-subject_state">-</td>' in response.content.decode()
