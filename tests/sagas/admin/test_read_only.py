"""Runs are read-only in the admin: listed and shown, never added, edited or deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sagas.models import SagaRun
from sagas.services import saga_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(service, state) -> SagaRun:
    return saga_start(saga="toy-order", operation_id="op-admin", state=state).run


def test_the_run_list_shows_runs(admin_client, run):
    response = admin_client.get(reverse("admin:sagas_sagarun_changelist"))

    assert response.status_code == 200
    assert b"op-admin" in response.content


def test_a_run_page_shows_its_steps_and_cannot_be_edited(admin_client, run):
    """Even a superuser gets a page without inputs: runs change through the engine."""
    url = reverse("admin:sagas_sagarun_change", args=[run.pk])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert b"toy-order:op-admin:charge" in response.content
    assert not response.context["has_change_permission"]


def test_runs_cannot_be_added_by_hand(admin_client):
    response = admin_client.get(reverse("admin:sagas_sagarun_add"))

    assert response.status_code == 403


def test_runs_cannot_be_deleted_by_hand(admin_client, run):
    response = admin_client.post(
        reverse("admin:sagas_sagarun_delete", args=[run.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert SagaRun.objects.filter(pk=run.pk).exists()
