"""Where a parallel group's members run: in the caller's thread, or on a kept pool.

``SAGA_PARALLEL_EXECUTOR`` chooses. ``inline`` (the engine's default) runs the
members one after the other on the caller's thread and database connection: no
thread is started and no connection opened per run. ``pool`` runs them at the
same time on a pool of threads kept for the life of the process; each thread
opens its database connection once and keeps it (``CONN_MAX_AGE``), so a run
pays for no new connection either. ``bench/parallel.py`` measures both: the
pool is as fast with instant channels and twice as fast with channels that
take 30 ms, so this service sets ``pool``.

A caller inside a transaction always runs its members inline: on other
connections they could not see its uncommitted rows, and what they wrote would
commit on its own, outside the caller's transaction.

Members never write the journal: they return their verdicts, and the runner
records the whole group in one commit.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connection, connections

from sagas.conf import saga_setting

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
POOL_THREADS = 8


def members_run(calls: list[Callable[[], T]]) -> list[T]:
    """Run ``calls`` (one per member) and return their results in order.

    An exception of one call is raised once every call has ended: its siblings
    are never left running behind the caller's back.
    """
    if saga_setting("SAGA_PARALLEL_EXECUTOR") != "pool" or connection.in_atomic_block:
        return [call() for call in calls]
    # Each member runs in a copy of the caller's context: its spans are the
    # run's children, whichever pool thread takes it.
    pool = _shared_pool()
    futures = [
        pool.submit(contextvars.copy_context().run, _recycling, call) for call in calls
    ]
    errors = [future.exception() for future in futures]  # waits for every one
    for error in errors:
        if error is not None:
            raise error
    return [future.result() for future in futures]


def _recycling(call: Callable[[], T]) -> T:
    """Run ``call`` on a pool thread, then drop a connection it left unusable.

    Django recycles connections when a request ends; a pool thread sees no
    requests. Without this, a connection broken once (a database restart)
    would fail every member on that thread for the life of the process. Only
    after an error or past ``CONN_MAX_AGE`` does it cost a round trip.
    """
    try:
        return call()
    finally:
        for db in connections.all(initialized_only=True):
            expired = db.close_at is not None and time.monotonic() >= db.close_at
            if db.errors_occurred or expired:
                db.close_if_unusable_or_obsolete()


def members_pool_shutdown(*, timeout: float = 10) -> None:
    """Stop the kept pool, each of its threads closing its database connections.

    For a process about to drop its database (a test run) or to exit cleanly;
    a later group starts a new pool.
    """
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    # One task per thread: each waits at the barrier until all have started,
    # so no thread takes two and every one closes its own connections.
    everyone = threading.Barrier(POOL_THREADS)

    def close_mine() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            everyone.wait(timeout)
        connections.close_all()

    for _ in range(POOL_THREADS):
        pool.submit(close_mine)
    pool.shutdown(wait=True)


def _forget_pool() -> None:
    """In a forked child: the parent's pool threads did not come along."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


# A process forked after its pool started (a qcluster worker, a preloaded
# gunicorn worker) inherits the pool object without its threads: work handed
# to it would wait for ever. The child starts its own on first use.
os.register_at_fork(after_in_child=_forget_pool)


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=POOL_THREADS, thread_name_prefix="saga-member"
            )
        return _pool
