"""gunicorn's settings for ``make run``: a real server with threads, on a laptop.

Django's development server resets connections under a burst of clients (its
listen backlog is small); gunicorn with a few threaded workers takes a burst
of 40 buyers and answers every one. ``PORT`` chooses the port.
"""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = 2
threads = 8
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
