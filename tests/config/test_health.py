"""The liveness and readiness probes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_touching_anything(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_broker_reachable(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": True}


def test_readyz_answers_503_when_the_broker_is_down(client, monkeypatch):
    from django_q.brokers import Broker

    def refuse(self):
        raise ConnectionError("broker down")

    monkeypatch.setattr(Broker, "ping", refuse)
    monkeypatch.setattr("django_q.brokers.redis_broker.Redis.ping", refuse)
    monkeypatch.setattr("django_q.brokers.orm.ORM.ping", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False
