"""Run code in a forked child process: a worker that an injected crash can kill."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

from django.db import connections


def run_in_child(target: Callable[[], object], *, timeout: float = 60) -> int:
    """Run ``target()`` in a forked process and return its exit code.

    ``-signal.SIGKILL`` means the process was killed; 0 means ``target`` returned,
    1 that it raised. Connections are closed first so the child opens its own
    instead of sharing the parent's socket (needs a file or server database).
    """
    connections.close_all()
    process = multiprocessing.get_context("fork").Process(target=_main, args=(target,))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
        raise AssertionError(f"the child process did not finish in {timeout} s")
    return process.exitcode


def _main(target: Callable[[], object]) -> None:
    try:
        target()
    finally:
        connections.close_all()
