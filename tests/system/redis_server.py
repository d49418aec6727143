"""A Redis server of the test's own: started, stopped and restarted at will.

The system tests take Redis away to prove the service rides out the outage,
which they must never do to a Redis that anyone else uses. This one listens on
a free port of 127.0.0.1, keeps nothing on disk, and is gone after the test.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import redis

from tests.system.harness import free_port, wait_until

BINARY = shutil.which("redis-server")


class RedisServer:
    """One ``redis-server`` process on a fixed port, which may come and go."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start the server (again, on the same port) and wait until it answers."""
        assert BINARY, "redis-server is not installed"
        self.popen = subprocess.Popen(
            [
                BINARY,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self.answers, timeout=10, message="redis-server did not start")
        return self

    def stop(self) -> None:
        """Stop the server now: its clients get connection errors from here on."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)
        self.popen = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False
