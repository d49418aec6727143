"""The production settings, probed in a process of their own.

/healthz and /readyz answer plain HTTP (a cluster's probes do not speak TLS)
while everything else is redirected; /metrics needs the bearer token; the API
docs can be switched off; every page carries the Content-Security-Policy.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.system.harness import BASE_DIR, child_env, database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def answers(django_db_blocker) -> dict:
    """Run tests.config.production_probe under config.settings_production."""
    with django_db_blocker.unblock():
        url = database_url(connection.settings_dict)
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY="a-production-looking-secret-key-for-the-probe-0123456789",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=url,
        METRICS_TOKEN="probe-token",
        API_DOCS_ENABLED="0",
        LOG_LEVEL="CRITICAL",
        **({"REDIS_URL": settings.REDIS_URL} if settings.REDIS_URL else {}),
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.config.production_probe"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_probes_answer_plain_http(answers):
    """Issue 12: a plain-HTTP /healthz or /readyz is not redirected to HTTPS."""
    assert answers["healthz over http"]["status"] == 200
    assert answers["readyz over http"]["status"] == 200


def test_everything_else_over_plain_http_is_redirected(answers):
    assert answers["api over http"]["status"] == 301
    assert answers["api over http"]["Location"].startswith("https://")


def test_metrics_need_the_bearer_token(answers):
    """Issue 12: /metrics is not public under production settings."""
    assert answers["metrics without credentials"]["status"] == 401
    assert answers["metrics without credentials"]["WWW-Authenticate"].startswith(
        "Bearer"
    )
    assert answers["metrics with the token"]["status"] == 200


def test_the_api_docs_can_be_switched_off(answers):
    assert answers["api docs"]["status"] == 404


def test_pages_carry_a_content_security_policy(answers):
    """Issue 12: scripts from this site's files only, framing refused."""
    policy = answers["shop"]["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
