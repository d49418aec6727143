"""Notification backends that take a provider's round trip, for ``bench/parallel.py``.

Imported by Django (``EMAIL_BACKEND``, ``SMS_BACKEND``, ``PUSH_BACKEND``) once
it is set up, never by the benchmark's own module before.
"""

from __future__ import annotations

import time

from django.core.mail.backends.locmem import EmailBackend

from notifications.backends import LocmemBackend

# What one message costs at a provider's HTTP API, on a good day.
LATENCY = 0.03


class SlowEmailBackend(EmailBackend):
    """Django's locmem email, after a provider's round trip."""

    def send_messages(self, messages):
        time.sleep(LATENCY)
        return super().send_messages(messages)


class SlowBackend(LocmemBackend):
    """The locmem SMS and push backend, after a provider's round trip."""

    def send(self, **message: str) -> None:
        time.sleep(LATENCY)
        super().send(**message)
