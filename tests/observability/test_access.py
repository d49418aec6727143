"""Who may read /metrics once it is closed: a bearer token or a staff session."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-3f1c9b52"


@pytest.fixture(autouse=True)
def closed(settings):
    """/metrics as the production settings have it, with a scrape token."""
    settings.METRICS_PUBLIC = False
    settings.METRICS_TOKEN = TOKEN


def test_without_credentials_it_is_401_with_a_bearer_challenge(client):
    """Issue 12: the business figures are not public under production settings."""
    response = client.get("/metrics")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"saga_runs" not in response.content


def test_prometheus_with_the_token_reads_them(client):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert b"saga_runs" in response.content


@pytest.mark.parametrize(
    "authorization", [f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN]
)
def test_any_other_token_is_401(client, authorization):
    response = client.get("/metrics", headers={"Authorization": authorization})

    assert response.status_code == 401


def test_no_token_configured_lets_no_token_in(client, settings):
    """An unset METRICS_TOKEN matches nothing, not even an empty bearer."""
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == (
        401
    )


def test_a_staff_session_reads_them(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))

    assert client.get("/metrics").status_code == 200


def test_a_customer_session_is_403(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("alice"))

    assert client.get("/metrics").status_code == 403
