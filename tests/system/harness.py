"""Run the service as processes: start and kill them, wait, send HTTP, receive webhooks.

Every process is started in a session of its own, so it leads a process group
that holds its children too (gunicorn's and qcluster's workers): killing the
group kills them all, and ``Processes.stop_all`` leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from standardwebhooks import Webhook, WebhookVerificationError

T = TypeVar("T")
BASE_DIR = Path(__file__).resolve().parents[2]


# -- Waiting -------------------------------------------------------------------------


def wait_until(
    predicate: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.25,
    message: str | Callable[[], str] = "condition not met",
) -> T:
    """Return the first truthy result of ``predicate()``; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"after {timeout:g} s: {text}")
        time.sleep(interval)


# -- Environments of the child processes ---------------------------------------------


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """Return the DATABASE_URL of a Django DATABASES entry (SQLite or PostgreSQL)."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def child_env(**values: str) -> dict[str, str]:
    """Return a complete, minimal environment for a child process of the service.

    Built from nothing rather than copied from the test's own environment, so
    that a child sees exactly the configuration the test means, no more.
    """
    bin_dir = Path(sys.executable).parent
    return {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        **values,
    }


# -- Processes -------------------------------------------------------------------------


@dataclass
class Started:
    """One process the test started, and the file its output goes to."""

    name: str
    popen: subprocess.Popen
    log: Path


class Processes:
    """The processes of one test, started with one environment, always cleaned up."""

    def __init__(self, *, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.started: dict[str, Started] = {}

    def start(self, name: str, *argv: str) -> Started:
        """Start ``argv`` in the project directory as a new process group."""
        log = self.log_dir / f"{name}.log"
        with open(log, "ab") as output:
            popen = subprocess.Popen(
                argv,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started[name] = Started(name, popen, log)
        return self.started[name]

    def start_manage(self, name: str, *args: str) -> Started:
        """Start ``python manage.py <args>`` in the background."""
        return self.start(name, sys.executable, "manage.py", *args)

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run ``python manage.py <args>`` to its end; return its status and output."""
        popen = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
        )
        try:
            output, _ = popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            _kill_group(popen)
            popen.communicate()
            raise AssertionError(
                f"manage.py {' '.join(args)} took over {timeout} s"
            ) from error
        return subprocess.CompletedProcess(popen.args, popen.returncode, output)

    def group_pids(self, name: str) -> set[int]:
        """Return the ids of the live processes in ``name``'s process group."""
        pgid = self.started[name].popen.pid
        pids = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            # The command name may hold spaces and parentheses: fields follow the
            # last ")": state, ppid, pgrp.
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                pids.add(int(entry.name))
        return pids

    def kill(self, name: str) -> None:
        """SIGKILL ``name`` and every process of its group: no cleanup runs."""
        _kill_group(self.started[name].popen)
        self.started[name].popen.wait(timeout=10)

    def stop(self, name: str, *, grace: float = 10) -> None:
        """SIGTERM ``name``'s group, then SIGKILL whatever is left after ``grace``."""
        popen = self.started[name].popen
        if popen.poll() is None:
            _signal_group(popen, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout=grace)
        # Stragglers (workers whose parent left first) are still in the group.
        _kill_group(popen)
        popen.wait(timeout=10)

    def stop_all(self) -> None:
        """Stop every process this object started, the killed ones included."""
        for name in list(self.started):
            self.stop(name)

    def log_tail(self, name: str, lines: int = 40) -> str:
        """Return the end of ``name``'s output, for failure messages."""
        text = self.started[name].log.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _signal_group(popen: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone
        os.killpg(popen.pid, signum)


def _kill_group(popen: subprocess.Popen) -> None:
    _signal_group(popen, signal.SIGKILL)


# -- HTTP ------------------------------------------------------------------------------


@dataclass
class Response:
    """What an HTTP request got back."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http_request(
    method: str,
    url: str,
    *,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> Response:
    """Send one request (``body`` as JSON); return the response, errors included."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, dict(error.headers), error.read())


def responds(url: str, status: int = 200) -> bool:
    """Return whether GET ``url`` answers ``status`` right now."""
    try:
        return http_request("GET", url, timeout=2).status == status
    except OSError:
        return False


# -- A webhook receiver ---------------------------------------------------------------


@dataclass
class WebhookReceiver:
    """A consumer on 127.0.0.1 that verifies signatures and drops duplicates.

    ``handled`` holds each message id handled (once, by its ``webhook-id``);
    ``duplicates`` counts deliveries of an id already handled; ``rejected``
    lists the reasons of requests whose signature did not verify.
    """

    secret: str
    url: str = ""
    handled: dict[str, dict] = field(default_factory=dict)
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def receive(self, headers: Mapping[str, str], body: bytes) -> int:
        """Take one delivery; return the status to answer with."""
        try:
            # The specification's reference library, not our own verify().
            Webhook(self.secret).verify(body, dict(headers.items()))
        except WebhookVerificationError as error:
            with self._lock:
                self.rejected.append(str(error))
            return 401
        document = json.loads(body)
        message_id = headers.get("webhook-id", "")
        if message_id != document["message_id"]:
            with self._lock:
                self.rejected.append("webhook id differs from the body's")
            return 400
        with self._lock:
            if message_id in self.handled:
                self.duplicates += 1
            else:
                self.handled[message_id] = document
        return 200

    def handled_ids(self) -> set[str]:
        with self._lock:
            return set(self.handled)

    def start(self) -> WebhookReceiver:
        """Serve on an ephemeral port in a background thread."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                status = receiver.receive(self.headers, self.rfile.read(length))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass  # keep the test's output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/webhooks"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
