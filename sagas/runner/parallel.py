"""Parallel groups: members run at the same time; a failure skips the unstarted.

Each member does its own bookkeeping (single autocommit UPDATEs, on its own
connection when it runs in a thread), so "started before the action" holds for
every member. When one member fails, members that have not started yet are
recorded ``skipped``; completed members are compensated by the backward pass.
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections

from sagas.definition import Parallel, Step
from sagas.models import SagaStep
from sagas.runner.core import Stop
from sagas.runner.forward import run_step

if TYPE_CHECKING:
    from sagas.runner.core import Runner


class InlineExecutor(Executor):
    """Run each member at once in the caller's thread, in order (deterministic)."""

    def __init__(self, max_workers: int | None = None) -> None:
        pass

    def submit(self, fn, /, *args: Any, **kwargs: Any) -> Future:
        """Call ``fn`` now and return its already-settled future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def executor_create(max_workers: int) -> Executor:
    """Return the executor for a group (``SAGA_PARALLEL_EXECUTOR``: threads|inline)."""
    if getattr(settings, "SAGA_PARALLEL_EXECUTOR", "threads") == "inline":
        return InlineExecutor()
    return ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="saga")


def run_group(runner: Runner, group: Parallel) -> Stop | None:
    """Run the group's members concurrently; return the gravest stop, if any."""
    halt = threading.Event()
    factory = runner.executor or executor_create
    with factory(len(group.steps)) as executor:
        futures = [executor.submit(_member, runner, s, halt) for s in group.steps]
    # Every member has ended here (the executor waited for them).
    for future in futures:
        if future.exception() is not None:
            raise future.exception()
    stops = [future.result() for future in futures if future.result() is not None]
    return min(stops, key=lambda stop: stop.kind) if stops else None


def _member(runner: Runner, step: Step, halt: threading.Event) -> Stop | None:
    in_own_thread = threading.get_ident() != runner.thread_id
    try:
        row = runner.rows[step.name]
        if row.status == SagaStep.Status.PENDING and halt.is_set():
            runner.journal.step_ended(row, SagaStep.Status.SKIPPED)
            return None
        stop = run_step(runner, step)
        if stop is not None:
            halt.set()
        return stop
    except BaseException:
        halt.set()
        raise
    finally:
        if in_own_thread:
            connections.close_all()  # only this thread's connections
