"""gunicorn's settings for this service, read when gunicorn starts in this directory.

gunicorn loads ``./gunicorn.conf.py`` by default. A deployment that passes its
own ``-c`` file loses the hook below: call ``web_workers_check`` from its
``on_starting`` too.
"""

from __future__ import annotations

import os

# As config/wsgi.py does; the hook runs before gunicorn has loaded it.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def on_starting(server) -> None:
    """Refuse several workers when throttle counters are per process.

    Runs in the arbiter before any worker starts: gunicorn prints the
    RuntimeError's message and exits with status 1.
    """
    from throttling.checks import web_workers_check

    web_workers_check(workers=server.cfg.workers)
