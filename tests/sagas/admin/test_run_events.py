"""The run page's story in order, and the trace that recorded the run."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def run_page(client, run):
    response = client.get(reverse("admin:sagas_sagarun_change", args=[run.pk]))
    assert response.status_code == 200
    return response


def test_the_events_show_the_undos_in_the_order_they_ran(viewer_client, stuck_refund):
    """Pack was undone, then the refund kept failing: the run stopped there."""
    events = run_page(viewer_client, stuck_refund).context["events"]

    undo = [(e.kind, e.step) for e in events if e.phase in ("undo", "failure")]
    assert undo == [
        ("step_failed", "ship"),
        ("rolling_back", "ship"),
        ("compensation_started", "pack"),
        ("compensated", "pack"),
        ("compensation_started", "charge"),
        ("compensation_failed_attempt", "charge"),
        ("compensation_failed_attempt", "charge"),
        ("compensation_failed_attempt", "charge"),
        ("compensation_failed", "charge"),
        ("review", "charge"),
    ]


def test_each_event_is_a_row_with_its_time_and_offset(viewer_client, stuck_refund):
    html = run_page(viewer_client, stuck_refund).content.decode()

    assert '<section class="saga-section" id="run-events">' in html
    assert 'data-kind="compensation_failed" data-step="charge"' in html
    assert "Undo of charge kept failing: ConnectionError: refund is down" in html
    assert '<td class="saga-offset">+0.' in html


def test_an_untraced_run_shows_no_trace(viewer_client, stuck_refund):
    html = run_page(viewer_client, stuck_refund).content.decode()

    assert 'saga-key">0' not in html
    assert stuck_refund.trace_id == ""


def test_a_traced_run_links_to_its_trace(viewer_client, stuck_refund, settings):
    stuck_refund.trace_context = {
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    }
    stuck_refund.save()
    settings.SAGA_TRACE_URL = "https://traces.example.com/trace/{trace_id}"

    html = run_page(viewer_client, stuck_refund).content.decode()

    assert (
        '<a href="https://traces.example.com/trace/4bf92f3577b34da6a3ce929d0e0e4736">'
        '<code class="saga-key">4bf92f3577b34da6a3ce929d0e0e4736</code></a>'
    ) in html
