"""System checks of the django-q2 settings the outbox relay relies on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from outbox.conf import outbox_setting

TAG = "django_q"


@register(TAG)
def q_cluster_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Report django-q2 settings that would run tasks twice or retry them forever.

    Reads ``settings.Q_CLUSTER`` itself: django_q's ``Conf`` is computed once at
    import and would miss overridden settings.
    """
    conf = getattr(settings, "Q_CLUSTER", {})
    timeout, retry = conf.get("timeout"), conf.get("retry", 60)
    errors: list[CheckMessage] = []
    if not timeout:
        errors.append(
            Error(
                "Q_CLUSTER['timeout'] is not set: a hung task would block a worker "
                "forever and the broker would hand it out again meanwhile.",
                hint="Set Q_CLUSTER['timeout'] to the longest a task may run.",
                id="outbox.E001",
            )
        )
    elif retry <= timeout:
        errors.append(
            Error(
                f"Q_CLUSTER['retry'] ({retry}) must exceed Q_CLUSTER['timeout'] "
                f"({timeout}): the broker would hand a still-running task to a "
                "second worker.",
                hint="Set retry a safe margin above timeout, e.g. timeout * 1.5.",
                id="outbox.E002",
            )
        )
    if not conf.get("max_attempts"):
        errors.append(
            Error(
                "Q_CLUSTER['max_attempts'] is missing or 0: a task that keeps "
                "failing would be retried forever.",
                hint="Set Q_CLUSTER['max_attempts'], e.g. 3.",
                id="outbox.E003",
            )
        )
    claim = int(outbox_setting("OUTBOX_CLAIM_SECONDS"))
    if timeout and claim <= timeout:
        errors.append(
            Warning(
                f"OUTBOX_CLAIM_SECONDS ({claim}) is not above Q_CLUSTER['timeout'] "
                f"({timeout}): a slow relay could lose its claim and a message be "
                "delivered twice.",
                id="outbox.W001",
            )
        )
    return errors
