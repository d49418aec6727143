"""Count database round trips on every connection of every thread, and commits.

Django's query log (``CaptureQueriesContext``) sees one connection of one thread,
and on PostgreSQL it does not see the ``BEGIN`` that psycopg sends by itself
before the first statement of a transaction. The budget tests and the
benchmarks need the real cost, so this counter hooks the layer under the log:
every statement Django hands to a driver cursor (``execute`` and
``executemany``, savepoints included), every ``COMMIT`` and ``ROLLBACK`` that
reaches the server, the implicit ``BEGIN`` of psycopg, and every new connection.

A *durable commit* is what makes the database flush its log: an explicit
``COMMIT`` of a transaction that wrote something, or a write statement run in
autocommit mode (each is its own transaction).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class RoundTrips:
    """What the database was asked while counting, on all connections."""

    statements: list[str] = field(default_factory=list)
    commits: int = 0  # durable: explicit COMMITs that wrote, plus autocommit writes
    new_connections: int = 0
    threads: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        """Return the number of round trips, BEGIN and COMMIT included."""
        return len(self.statements)

    def by_table(self) -> Counter:
        """Return how many round trips name each table (BEGIN/COMMIT as such)."""
        counts: Counter = Counter()
        for sql in self.statements:
            match = TABLE.search(sql)
            counts[match.group(1) if match else sql.split()[0].upper()] += 1
        return counts

    def summary(self) -> str:
        """Return a one-line account, for assertion messages."""
        tables = ", ".join(f"{t}={n}" for t, n in self.by_table().most_common())
        return (
            f"{self.total} round trips, {self.commits} commits, "
            f"{self.new_connections} new connections: {tables}"
        )


_lock = threading.Lock()
_active: list[RoundTrips] = []
# Per connection (by id): a transaction whose BEGIN psycopg has yet to send, and
# whether the open transaction has written anything.
_begin_pending: set[int] = set()
_wrote: set[int] = set()


def _record(sql: str, *, thread: int) -> None:
    with _lock:
        for counter in _active:
            counter.statements.append(sql)
            counter.threads.add(thread)


def _add_commits(n: int) -> None:
    with _lock:
        for counter in _active:
            counter.commits += n


def _before_statement(db: BaseDatabaseWrapper, sql: str, many: int) -> None:
    thread = threading.get_ident()
    key = id(db)
    if key in _begin_pending:
        _begin_pending.discard(key)
        _record("BEGIN", thread=thread)
    _record(sql, thread=thread)
    is_write = bool(WRITE.match(sql))
    if not is_write:
        return
    if db.get_autocommit() and not db.in_atomic_block:
        _add_commits(many)
    else:
        _wrote.add(key)


@contextmanager
def count_round_trips() -> Iterator[RoundTrips]:
    """Count every round trip made by any connection while the block runs."""
    counter = RoundTrips()
    with _lock:
        first = not _active
        _active.append(counter)
    if first:
        _install()
    try:
        yield counter
    finally:
        with _lock:
            _active.remove(counter)
            last = not _active
        if last:
            _uninstall()


_originals: dict[str, object] = {}


def _install() -> None:
    _originals.update(
        execute=CursorWrapper._execute,
        executemany=CursorWrapper._executemany,
        commit=BaseDatabaseWrapper._commit,
        rollback=BaseDatabaseWrapper._rollback,
        connect=BaseDatabaseWrapper.connect,
        set_autocommit=BaseDatabaseWrapper.set_autocommit,
    )

    def _execute(self, sql, params, *args):
        _before_statement(self.db, sql, 1)
        return _originals["execute"](self, sql, params, *args)

    def _executemany(self, sql, param_list, *args):
        param_list = list(param_list)
        _before_statement(self.db, sql, len(param_list))
        return _originals["executemany"](self, sql, param_list, *args)

    def _commit(self):
        key = id(self)
        pending = key in _begin_pending
        _begin_pending.discard(key)
        # psycopg sends nothing to commit a transaction that ran no statement.
        if not pending and self.connection is not None:
            _record("COMMIT", thread=threading.get_ident())
            if key in _wrote:
                _add_commits(1)
        _wrote.discard(key)
        return _originals["commit"](self)

    def _rollback(self):
        key = id(self)
        pending = key in _begin_pending
        _begin_pending.discard(key)
        _wrote.discard(key)
        if not pending and self.connection is not None:
            _record("ROLLBACK", thread=threading.get_ident())
        return _originals["rollback"](self)

    def connect(self):
        with _lock:
            for counter in _active:
                counter.new_connections += 1
        return _originals["connect"](self)

    def set_autocommit(self, autocommit, *args, **kwargs):
        result = _originals["set_autocommit"](self, autocommit, *args, **kwargs)
        # PostgreSQL: leaving autocommit starts a transaction whose BEGIN the
        # driver sends with the next statement. SQLite runs BEGIN as a statement.
        if not autocommit and not hasattr(self, "_start_transaction_under_autocommit"):
            _begin_pending.add(id(self))
        return result

    CursorWrapper._execute = _execute
    CursorWrapper._executemany = _executemany
    BaseDatabaseWrapper._commit = _commit
    BaseDatabaseWrapper._rollback = _rollback
    BaseDatabaseWrapper.connect = connect
    BaseDatabaseWrapper.set_autocommit = set_autocommit


def _uninstall() -> None:
    CursorWrapper._execute = _originals["execute"]
    CursorWrapper._executemany = _originals["executemany"]
    BaseDatabaseWrapper._commit = _originals["commit"]
    BaseDatabaseWrapper._rollback = _originals["rollback"]
    BaseDatabaseWrapper.connect = _originals["connect"]
    BaseDatabaseWrapper.set_autocommit = _originals["set_autocommit"]
    _begin_pending.clear()
    _wrote.clear()
