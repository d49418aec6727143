"""The liveness and readiness probes."""

from __future__ import annotations

import pytest

from config.outages import RETRY_AFTER_SECONDS
from tests.config.test_outages import DEAD_REDIS

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_touching_anything(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_every_dependency_reachable(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": True, "broker": True, "cache": True},
        "down": [],
    }


def test_readyz_answers_503_naming_the_broker_when_it_is_down(client, monkeypatch):
    """Issue 12: the probe says which dependency is down, and when to ask again."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", DEAD_REDIS)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["down"] == ["broker"]
    assert response.json()["checks"]["broker"] is False


def test_readyz_answers_503_naming_the_database_when_it_is_down(client, database_down):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert "database" in response.json()["down"]


def test_a_cache_down_is_reported_but_the_service_stays_ready(client, settings):
    """Throttles count in memory meanwhile: no reason to take the service out."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["down"] == ["cache"]
