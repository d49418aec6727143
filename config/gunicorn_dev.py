"""gunicorn's settings for ``make run``: a real server with threads, on a laptop.

Django's development server resets connections under a burst of clients (its
listen backlog is small); gunicorn with a threaded worker takes a burst of 40
buyers and answers every one. One process: without Redis the throttles count
in its memory, which is exact only while there is one (``gunicorn.conf.py``
refuses more). ``PORT`` chooses the port.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = 1
threads = 16
# Threads share a worker's memory: a request waiting on the database or a
# simulated service leaves the others running.
worker_class = "gthread"
backlog = 2048
timeout = 60
# The application logs in JSON; gunicorn says only what goes wrong.
accesslog = None
errorlog = "-"
loglevel = "warning"
# No control socket: its default path is shared by every gunicorn on a machine.
control_socket_disable = True


def on_starting(server) -> None:
    """Refuse several workers when throttle counters are per process."""
    from throttling.checks import web_workers_check

    web_workers_check(workers=server.cfg.workers)
