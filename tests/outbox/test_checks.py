"""The start-up check of the django-q2 settings the relay depends on."""

from __future__ import annotations

import pytest
from django.core.checks import Error, Warning, run_checks
from django.test import override_settings

from outbox.checks import TAG, q_cluster_check

GOOD = {"name": "t", "timeout": 60, "retry": 90, "max_attempts": 3, "orm": "default"}


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_the_project_settings_pass():
    assert q_cluster_check() == []


@override_settings(Q_CLUSTER=GOOD)
def test_retry_above_timeout_with_max_attempts_passes():
    assert q_cluster_check() == []


@pytest.mark.parametrize("retry", [60, 30])
def test_retry_not_above_timeout_is_an_error(retry):
    with override_settings(Q_CLUSTER={**GOOD, "retry": retry}):
        messages = q_cluster_check()
    assert ids(messages) == ["outbox.E002"]
    assert isinstance(messages[0], Error)


@override_settings(Q_CLUSTER={**GOOD, "timeout": None})
def test_a_missing_timeout_is_an_error():
    assert ids(q_cluster_check()) == ["outbox.E001"]


@pytest.mark.parametrize("max_attempts", [None, 0])
def test_max_attempts_missing_or_zero_is_an_error(max_attempts):
    conf = {**GOOD, "max_attempts": max_attempts}
    if max_attempts is None:
        del conf["max_attempts"]
    with override_settings(Q_CLUSTER=conf):
        assert ids(q_cluster_check()) == ["outbox.E003"]


@override_settings(Q_CLUSTER=GOOD, OUTBOX_CLAIM_SECONDS=60)
def test_a_claim_lease_not_above_the_task_timeout_is_a_warning():
    [message] = q_cluster_check()
    assert (message.id, type(message)) == ("outbox.W001", Warning)


@override_settings(Q_CLUSTER={**GOOD, "retry": 10, "max_attempts": 0})
def test_the_check_runs_with_the_system_checks():
    assert ids(run_checks(tags=[TAG])) == ["outbox.E002", "outbox.E003"]
