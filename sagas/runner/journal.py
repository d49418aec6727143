"""The runner's bookkeeping: the run's row, written in one UPDATE fenced by the lease.

The journal keeps the run's state, its step records and its timeline in memory
and writes them all in one UPDATE whose WHERE clause requires that we still
hold the lease. Zero rows updated means another worker took the run over (or,
for a write that checks it, that a cancellation arrived): ``LeaseLost`` stops
this worker before it does anything else. A write inside a recording
transaction commits with the step's own writes; outside one it commits alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection

from sagas.clock import Clock
from sagas.definition import Saga
from sagas.exceptions import LeaseLost
from sagas.lease import lease_ttl
from sagas.models import SagaRun, StepStatus
from sagas.records import StepRecord, journal_of
from sagas.tracing import get_tracer

FORWARD_ENDS = (
    StepStatus.COMPLETED,
    StepStatus.FAILED,
    StepStatus.UNKNOWN,
    StepStatus.SKIPPED,
)


def error_text(error: BaseException | str | None) -> str:
    """Return an error as the line stored in ``last_error`` and ``error``."""
    if error is None or isinstance(error, str):
        return error or ""
    return f"{type(error).__name__}: {error}"


def error_code_of(error: BaseException | str | None) -> str:
    """Return the stable ``code`` an application error carries, if any."""
    return str(getattr(error, "code", "") or "")


class Journal:
    """The run as this worker knows it, and the one write that records it."""

    def __init__(
        self,
        *,
        run: SagaRun,
        saga: Saga,
        owner: str,
        clock: Clock,
        records: dict[str, StepRecord],
    ) -> None:
        self.run, self.saga, self.owner, self.clock = run, saga, owner, clock
        self.records = records
        self.state = saga.state_load(run.state)
        self.timeline: list[dict[str, Any]] = list(run.timeline)
        self.lease_until: datetime | None = run.lease_expires_at

    # -- what a recording transaction may undo -------------------------------------

    def snapshot(self) -> tuple[Any, dict[str, dict], list[dict]]:
        """Return what a write would store, to put back if its transaction fails.

        The state is never changed in place (every change replaces it), so
        the snapshot keeps a reference to it rather than a copy.
        """
        entries = {name: dict(vars(record)) for name, record in self.records.items()}
        return self.state, entries, list(self.timeline)

    def restore(self, snapshot: tuple[Any, dict[str, dict], list[dict]]) -> None:
        """Put back what ``snapshot`` holds: the transaction that changed it failed."""
        state, entries, timeline = snapshot
        self.state, self.timeline = state, timeline
        for name, record in self.records.items():
            vars(record).update(entries[name])

    # -- changes in memory, written by the next write ------------------------------

    def event(self, kind: str, step: str | None = None, **data: Any) -> None:
        """Add an entry to the run's timeline (failed attempts, compensations ...).

        The same event goes to the current span, when tracing is on.
        """
        entry: dict[str, Any] = {"at": self.clock.now().isoformat(), "kind": kind}
        if step is not None:
            entry["step"] = step
        entry.update({key: value for key, value in data.items() if value is not None})
        self.timeline.append(entry)
        get_tracer().event(
            kind,
            {
                f"saga.{key}": value
                for key, value in entry.items()
                if key not in ("at", "kind")
            },
        )

    def started(self, record: StepRecord) -> None:
        """Mark ``record`` started (its action may run from the next commit on)."""
        record.status, record.started_at = StepStatus.STARTED, self.clock.now()
        record.attempts += 1

    def ended(
        self, record: StepRecord, status: str, error: BaseException | str | None = None
    ) -> None:
        """Mark ``record`` ended with ``status`` (and why, for a failure)."""
        record.status = status
        if error is not None:
            record.last_error = error_text(error)
            # A refusal's reason (out_of_stock ...), kept for whoever reports
            # the rollback; a transient error that wore the retries out has none.
            if isinstance(error, self.saga.business_errors):
                record.error_code = error_code_of(error)
        # When the forward action ended, however it ended; the undo's own
        # start and end are timeline events, so this time stays the action's.
        if status in FORWARD_ENDS:
            record.finished_at = self.clock.now()

    # -- the write -----------------------------------------------------------------

    def write(
        self,
        *,
        cancellable: bool = False,
        status: str | None = None,
        reason: str | None = None,
        error: str | None = None,
        release: bool = False,
    ) -> bool:
        """Write state, steps and timeline (and ``status``) in one fenced UPDATE.

        Return False, having written nothing, when ``cancellable`` and a
        cancellation was requested: the caller decides what to write instead.
        Raise ``LeaseLost`` if another worker holds the run now.
        """
        now = self.clock.now()
        changes: dict[str, Any] = {
            "state": self.saga.state_dump(self.state),
            "steps": journal_of(list(self.records.values())),
            "timeline": self.timeline,
            "lease_expires_at": now + lease_ttl(),
            "updated_at": now,
        }
        if status is not None:
            changes["status"] = status
            if status in (SagaRun.Status.COMPLETED, SagaRun.Status.COMPENSATED):
                changes["finished_at"] = now
            if status == SagaRun.Status.COMPLETED:
                changes.update(error="", error_code="")
        if reason is not None:
            changes["error_code"] = reason
        if error is not None:
            changes["error"] = error
        if release:  # the run stops here: nobody needs to own it any more
            changes.update(lease_owner="", lease_expires_at=None)
        if not _fenced_update(self.run.pk, self.owner, changes, cancellable):
            held = SagaRun.objects.filter(pk=self.run.pk, lease_owner=self.owner)
            if cancellable and held.filter(cancel_requested=True).exists():
                self.run.cancel_requested = True
                return False
            raise LeaseLost(f"Lost the lease on run {self.run.pk}.", run=self.run)
        for field, value in changes.items():
            setattr(self.run, field, value)
        self.lease_until = changes["lease_expires_at"]
        return True

    def renew_if_due(self) -> None:
        """Extend the lease when less than half of it is left (no query otherwise).

        Retries wait between attempts without writing anything; a long series
        of them must not let the lease run out under a live worker.
        """
        now = self.clock.now()
        if self.lease_until is not None and self.lease_until - now >= lease_ttl() / 2:
            return
        until = now + lease_ttl()
        held = SagaRun.objects.filter(pk=self.run.pk, lease_owner=self.owner)
        if not held.update(lease_expires_at=until, updated_at=now):
            raise LeaseLost(f"Lost the lease on run {self.run.pk}.", run=self.run)
        self.lease_until = self.run.lease_expires_at = until


def _fenced_update(
    run_id: int, owner: str, changes: dict[str, Any], cancellable: bool
) -> bool:
    """UPDATE the run's row if ``owner`` still holds its lease; return whether it did.

    Written out rather than through ``QuerySet.update``: this statement runs at
    every commit of every run, and building it with the ORM cost more than
    sending it (the fields are converted as the ORM would, by the fields).
    """
    quote = connection.ops.quote_name
    meta = SagaRun._meta
    assignments, params = [], []
    for name, value in changes.items():
        field = meta.get_field(name)
        assignments.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    condition = f"{quote(meta.pk.column)} = %s AND {quote('lease_owner')} = %s"
    params += [run_id, owner]
    if cancellable:
        condition += f" AND NOT {quote('cancel_requested')}"
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} WHERE {condition}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1
