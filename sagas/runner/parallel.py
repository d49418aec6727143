"""Parallel groups: members run at the same time; a failure skips the unstarted.

Bookkeeping of a group costs two UPDATEs, not two per member. The UPDATE that
completes the step before the group also records started every member that
recovery can settle alone (it reconciles or repeats); when the group ends, one
UPDATE records every such member that completed. A worker that dies in between
leaves them ``started``, and recovery settles each as it settles any started
step. A member that recovery could not settle alone is recorded started just
before its action and completed just after, on its own. When one member fails,
members whose action has not begun are recorded ``skipped``; completed members
are compensated by the backward pass. When one raises instead (the lease was
lost, the process is going down), the others are left as they stand for
whoever resumes the run.
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections

from sagas import signals
from sagas.definition import Parallel, Step
from sagas.models import SagaStep
from sagas.runner.core import Stop
from sagas.runner.forward import run_step

if TYPE_CHECKING:
    from sagas.runner.core import Runner


class InlineExecutor(Executor):
    """Run each member at once in the caller's thread, in order (deterministic)."""

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


class GroupEnd:
    """Why members not begun yet must not begin: a sibling's stop, or a crash."""

    def __init__(self) -> None:
        self.stopped = threading.Event()  # a sibling failed: skip the others
        self.aborted = threading.Event()  # an exception: leave them to recovery


def run_group(runner: Runner, group: Parallel) -> Stop | None:
    """Run the group's members concurrently; return the gravest stop, if any."""
    ended = GroupEnd()
    done: list[SagaStep] = []
    with executor_create(len(group.steps)) as executor:
        futures = [
            executor.submit(_member, runner, s, ended, done) for s in group.steps
        ]
    # Every member has ended here (the executor waited for them).
    for future in futures:
        if future.exception() is not None:
            raise future.exception()
    if done:
        with runner.lock:
            runner.journal.steps_completed(done, runner.state)
        for row in done:
            runner.signal(signals.step_completed, step=row.name)
    stops = [future.result() for future in futures if future.result() is not None]
    return min(stops, key=lambda stop: stop.kind) if stops else None


def _member(
    runner: Runner, step: Step, ended: GroupEnd, done: list[SagaStep]
) -> Stop | None:
    in_own_thread = threading.get_ident() != runner.thread_id
    try:
        if ended.aborted.is_set():
            return None
        row = runner.rows[step.name]
        # Recorded started with the group by this worker, but not begun yet.
        waiting = row.status == SagaStep.Status.STARTED and row.name in (
            runner.started_here
        )
        if ended.stopped.is_set() and (
            row.status == SagaStep.Status.PENDING or waiting
        ):
            runner.journal.step_ended(row, SagaStep.Status.SKIPPED)
            return None
        record_with_group = step.resumable and step.name != runner.saga.pivot
        stop = run_step(runner, step, group_done=done if record_with_group else None)
        if stop is not None:
            ended.stopped.set()
        return stop
    except BaseException:
        ended.aborted.set()
        raise
    finally:
        if in_own_thread:
            connections.close_all()  # only this thread's connections
