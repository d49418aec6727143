"""A real worker process for a scenario: forked, killable, its timeline piped home.

The child runs on its own database connection and sends every timeline event
to the parent, which shows it as it arrives, so the timeline stays one and
live even when the child is killed half way (a SIGKILL leaves the pipe closed,
and whatever was sent before it is shown).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import connections

from scenarios.terminal import PipeRenderer

if TYPE_CHECKING:
    from scenarios.stage import Demo

TIMEOUT_SECONDS = 60


def worker_run(demo: Demo, target: Callable[[], object], *, name: str) -> int:
    """Run ``target`` in a forked process; return its exit code (-9: SIGKILL)."""
    receiving, sending = multiprocessing.Pipe(duplex=False)
    # The child must open its own connection, not share the parent's socket.
    connections.close_all()
    process = multiprocessing.get_context("fork").Process(
        target=_worker_main, args=(demo, target, sending), name=name
    )
    process.start()
    sending.close()
    demo.emit("worker", f"worker {name} started (pid {process.pid})")
    while True:
        try:
            if receiving.poll(0.05):
                demo.renderer.emit(receiving.recv())
                continue
        except EOFError:
            break
        if not process.is_alive() and not receiving.poll():
            break
        demo.renderer.progress(f"worker {name} (pid {process.pid}) running")
    process.join(TIMEOUT_SECONDS)
    if process.exitcode == -signal.SIGKILL:
        demo.emit("worker", f"worker {name} (pid {process.pid}) killed by SIGKILL")
    else:
        demo.emit("worker", f"worker {name} exited with status {process.exitcode}")
    return process.exitcode


def _worker_main(demo: Demo, target: Callable[[], object], sending) -> None:
    demo.renderer = PipeRenderer(sending)
    try:
        target()
    finally:
        connections.close_all()
