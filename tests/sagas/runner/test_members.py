"""Where a group's members run: inline, on the kept pool, inline in a transaction."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from sagas.runner.members import POOL_THREADS, members_pool_shutdown, members_run
from tests.faults.child_process import run_in_child


def thread_names(count: int) -> list[str]:
    """Run ``count`` members that each answer the name of the thread it ran on."""
    return members_run([lambda: threading.current_thread().name] * count)


def test_inline_members_run_on_the_callers_thread(settings):
    settings.SAGA_PARALLEL_EXECUTOR = "inline"

    assert set(thread_names(3)) == {threading.current_thread().name}


@pytest.mark.django_db(transaction=True)
def test_pool_members_run_on_the_kept_threads(settings):
    settings.SAGA_PARALLEL_EXECUTOR = "pool"

    names = thread_names(3)

    assert all(name.startswith("saga-member") for name in names)


@pytest.mark.django_db(transaction=True)
def test_a_caller_inside_a_transaction_runs_its_members_inline(settings):
    """Pool threads could not see the caller's uncommitted rows."""
    settings.SAGA_PARALLEL_EXECUTOR = "pool"

    with transaction.atomic():
        names = thread_names(3)

    assert set(names) == {threading.current_thread().name}


@pytest.mark.django_db(transaction=True)  # pool threads may recycle connections
def test_an_error_is_raised_once_every_member_has_ended(settings):
    settings.SAGA_PARALLEL_EXECUTOR = "pool"
    finished = []

    def fails() -> None:
        raise ValueError("refused")

    def slow() -> None:
        threading.Event().wait(0.05)
        finished.append("slow")

    with pytest.raises(ValueError, match="refused"):
        members_run([fails, slow])

    assert finished == ["slow"]


@pytest.mark.django_db(transaction=True)
def test_a_forked_child_runs_its_members_on_a_pool_of_its_own(settings):
    """The parent's pool threads do not survive a fork; the child's work runs."""
    settings.SAGA_PARALLEL_EXECUTOR = "pool"
    thread_names(3)  # the parent's pool is started

    exit_code = run_in_child(lambda: thread_names(3), timeout=10)

    assert exit_code == 0


@pytest.mark.django_db(transaction=True)
def test_shutting_the_pool_down_closes_its_connections(settings):
    """Nothing of the pool keeps the database in use; a later group starts anew."""
    settings.SAGA_PARALLEL_EXECUTOR = "pool"
    opened = members_run([lambda: connection.ensure_connection()] * 3)
    assert len(opened) == 3

    members_pool_shutdown()

    assert not [t for t in threading.enumerate() if t.name.startswith("saga-member")]
    assert all(name.startswith("saga-member") for name in thread_names(3))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pool_thread_recovers_from_a_broken_connection(settings):
    """A restart of the database breaks the kept connections: after one failed
    member, each thread opens a new one instead of failing for ever."""
    settings.SAGA_PARALLEL_EXECUTOR = "pool"

    def query() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0]

    def break_connection() -> None:
        connection.ensure_connection()
        connection.connection.close()  # under Django's feet, as a restart does

    def on_every_thread(call):
        """Run ``call`` once on each of the pool's threads (none takes two)."""
        everyone = threading.Barrier(POOL_THREADS)

        def waiting():
            everyone.wait(10)
            return call()

        return members_run([waiting] * POOL_THREADS)

    on_every_thread(query)
    on_every_thread(break_connection)
    with pytest.raises(DatabaseError):
        on_every_thread(query)

    assert on_every_thread(query) == [1] * POOL_THREADS
