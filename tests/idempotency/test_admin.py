"""Admin of Idempotency-Keys: browsable, never editable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from idempotency.models import IdempotencyKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed_key(key_row):
    return key_row(
        status=IdempotencyKey.Status.COMPLETED,
        response_status=201,
        response_body=b'{"id": "visible-body"}',
        response_headers={"Content-Type": "application/json"},
    )


def test_keys_are_listed(admin_client, completed_key):
    response = admin_client.get(reverse("admin:idempotency_idempotencykey_changelist"))

    assert response.status_code == 200
    assert completed_key.key in response.content.decode()


def test_key_page_shows_the_stored_body_read_only(admin_client, completed_key):
    """The detail page shows the response but offers no save button."""
    url = reverse("admin:idempotency_idempotencykey_change", args=[completed_key.pk])
    response = admin_client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "visible-body" in page
    assert 'name="_save"' not in page


def test_key_cannot_be_changed(admin_client, completed_key):
    url = reverse("admin:idempotency_idempotencykey_change", args=[completed_key.pk])

    response = admin_client.post(url, {"key": "edited"})

    assert response.status_code == 403
    assert IdempotencyKey.objects.get().key == completed_key.key


@pytest.mark.parametrize("view", ["add", "delete"])
def test_keys_cannot_be_added_or_deleted(admin_client, completed_key, view):
    args = [completed_key.pk] if view == "delete" else []
    url = reverse(f"admin:idempotency_idempotencykey_{view}", args=args)

    assert admin_client.get(url).status_code == 403
    assert IdempotencyKey.objects.count() == 1
