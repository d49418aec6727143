"""The journal entry of one step, as stored in ``SagaRun.steps`` and as read back.

An entry keeps only what differs from a pending step, so a journal stays small:
``{"status": "completed", "attempts": 1, "started_at": ..., "finished_at": ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_datetime

from sagas.models import StepStatus

if TYPE_CHECKING:
    from sagas.definition import Saga
    from sagas.models import SagaRun

_TIMES = ("started_at", "finished_at")


@dataclass
class StepRecord:
    """One step of a run: where it stands, how often it was tried, and when."""

    name: str
    position: int
    group: str = ""
    idempotency_key: str = ""
    status: str = StepStatus.PENDING
    attempts: int = 0
    compensation_attempts: int = 0
    last_error: str = ""
    # The stable code of the application error that made it fail, if any.
    error_code: str = ""
    note: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def get_status_display(self) -> str:
        """Return the status as a person reads it."""
        return StepStatus(self.status).label

    def to_json(self) -> dict[str, Any]:
        """Return the journal entry: the fields that differ from a pending step."""
        entry: dict[str, Any] = {}
        for name in _STORED:
            value = getattr(self, name)
            if value in ("", 0, None) or value == StepStatus.PENDING:
                continue
            entry[name] = value.isoformat() if isinstance(value, datetime) else value
        return entry

    def load(self, entry: dict[str, Any]) -> StepRecord:
        """Fill this record from its journal ``entry``; return it."""
        for name in _STORED:
            if name in entry:
                value = entry[name]
                setattr(self, name, parse_datetime(value) if name in _TIMES else value)
        return self


_STORED = tuple(
    f.name
    for f in fields(StepRecord)
    if f.name not in ("name", "position", "group", "idempotency_key")
)


def records_for(saga: Saga, operation_id: str, journal: dict) -> list[StepRecord]:
    """Return a record per step of ``saga``, in order, filled from ``journal``."""
    return [
        StepRecord(
            name=flat.step.name,
            position=flat.position,
            group=flat.group,
            idempotency_key=saga.idempotency_key(operation_id, flat.step.name),
        ).load(journal.get(flat.step.name, {}))
        for flat in saga.flat()
    ]


def step_records(run: SagaRun) -> list[StepRecord]:
    """Return the steps of ``run`` in order (its saga's, or as the journal has them).

    A run of a saga no longer registered still shows what its journal holds.
    """
    from sagas.exceptions import SagaNotFound
    from sagas.registry import get_saga

    try:
        saga = get_saga(run.saga)
    except SagaNotFound:
        return [
            StepRecord(name=name, position=position).load(entry)
            for position, (name, entry) in enumerate(run.steps.items(), start=1)
        ]
    return records_for(saga, run.operation_id, run.steps)


def journal_of(records: list[StepRecord]) -> dict[str, dict[str, Any]]:
    """Return the ``SagaRun.steps`` value for ``records`` (pending ones left out)."""
    return {record.name: entry for record in records if (entry := record.to_json())}
