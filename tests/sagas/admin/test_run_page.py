"""The run page: a timeline of steps, the saved state made readable, the audit trail."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sagas import subjects
from sagas.review import review_retry_compensations
from sagas.subjects import Subject, SubjectSource

pytestmark = pytest.mark.django_db


def run_page(client, run):
    response = client.get(reverse("admin:sagas_sagarun_change", args=[run.pk]))
    assert response.status_code == 200
    return response


def test_the_timeline_lists_every_step_in_order(viewer_client, stuck_refund):
    """The rollback stopped at the charge: the reservation is still to be undone."""
    timeline = run_page(viewer_client, stuck_refund).context["timeline"]

    assert [(entry.row.name, entry.row.status) for entry in timeline] == [
        ("reserve", "completed"),
        ("charge", "needs_review"),
        ("pack", "compensated"),
        ("ship", "failed"),
    ]


def test_the_stuck_step_shows_its_error_attempts_and_key(viewer_client, stuck_refund):
    html = run_page(viewer_client, stuck_refund).content.decode()

    assert 'class="saga-bad saga-stuck" data-step="charge"' in html
    assert "refund is down" in html
    assert "undo attempts: 4" in html
    assert "toy-order:op-stuck:charge" in html


def test_the_banner_says_why_the_run_waits(viewer_client, stuck_refund):
    html = run_page(viewer_client, stuck_refund).content.decode()

    assert "This run waits for a person: a compensation kept failing." in html


def test_external_ids_are_highlighted_with_the_step_that_saved_them(
    viewer_client, stuck_refund
):
    rows = run_page(viewer_client, stuck_refund).context["state_rows"]

    external = {row.key: row.saved_by for row in rows if row.external}
    assert external == {"reservation_id": "reserve", "charge_id": "charge"}
    charge = next(row for row in rows if row.key == "charge_id")
    assert charge.value == "charge#2"


def test_nested_state_reads_as_pairs_not_json(viewer_client, completed_run):
    completed_run.state["notes"] = {"gift": "yes", "wrap": "red"}
    completed_run.save()

    html = run_page(viewer_client, completed_run).content.decode()

    assert "<span><b>gift</b>: yes</span>, <span><b>wrap</b>: red</span>" in html


def test_the_audit_trail_shows_who_did_what_and_why(
    viewer_client, reviewer, stuck_refund, service
):
    service.heal("refund")
    review_retry_compensations(
        run_id=stuck_refund.pk, user=reviewer, note="bank is back"
    )

    html = run_page(viewer_client, stuck_refund).content.decode()

    assert "<td>reviewer</td>" in html
    assert "<td>Retried the compensations</td>" in html
    assert "<td>bank is back</td>" in html


def test_the_page_links_to_the_runs_subject(viewer_client, stuck_refund, monkeypatch):
    source = SubjectSource(
        noun="parcel",
        describe=lambda ops: {
            op: Subject(label="P-1", url="/parcels/1/") for op in ops
        },
    )
    monkeypatch.setitem(subjects._sources, "toy-order", source)

    html = run_page(viewer_client, stuck_refund).content.decode()

    assert '<a href="/parcels/1/">parcel P-1</a>' in html


def test_the_page_reads_the_run_once(viewer_client, stuck_refund):
    with CaptureQueriesContext(connection) as ctx:
        run_page(viewer_client, stuck_refund)

    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert len([sql for sql in reads if 'FROM "sagas_sagarun"' in sql]) == 1
