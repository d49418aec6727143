"""``manage.py qcluster``: django-q2's command, started once the broker answers.

django-q2's own command pings the broker once and exits when it does not
answer, so a Redis restart at the wrong moment (or a host that boots the
workers before Redis) leaves no worker running, and under ``make run`` it
stops the web server too. This one waits and retries first; once running,
django-q2 itself rides out broker outages (its pusher is restarted).
"""

from __future__ import annotations

from typing import Any

from django_q.management.commands import qcluster

from workers.broker import broker_wait


class Command(qcluster.Command):
    help = "Wait for the task broker to answer, then start a django-q2 cluster."

    def handle(self, *args: Any, **options: Any) -> None:
        broker_wait()
        super().handle(*args, **options)
