"""A run's story in the order it happened, read from its row alone.

Two sources, both on ``SagaRun``: each step's journal entry (when it was
started and when its action ended, and how) and the run's timeline (failed
attempts with the pause chosen after each, reconcile answers, the turn, each
undo's start and end, takeovers, reviews). Merged and sorted by time they
show what a trace would, with no tracing back end: the steps going forward,
the retries and their back-off, then the compensations in the order they
ran. The happy path needs nothing beyond the steps' own times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.dateparse import parse_datetime

from sagas.models import SagaRun, StepStatus
from sagas.records import StepRecord

# What each event says, filled from its data.
TEXTS = {
    "step_started": "{step} started",
    "step_completed": "{step} completed",
    "step_failed": "{step} failed: {error}",
    "step_unknown": "{step}: outcome unknown ({error})",
    "step_skipped": "{step} skipped: a step beside it failed",
    "attempt_failed": "{step}: attempt {attempt} failed ({error}); {retry}",
    "reconciled": "{step}: asked the other system, {answer}",
    "rolling_back": "Rolling back: {reason}",
    "compensation_started": "Undoing {step}",
    "compensation_failed_attempt": "Undo of {step}: attempt {attempt} failed "
    "({error}); {retry}",
    "compensated": "{step} undone",
    "compensation_failed": "Undo of {step} kept failing: {error}",
    "takeover": "Taken over from a worker that stopped (takeover {count})",
    "review": "Stopped for a person: {reason}",
    "reviewed": "A reviewer set {step} to {status}: {note}",
    "run_finished": "Run {status}",
}
ANSWERS = {
    "completed": "it had happened",
    "not_happened": "it had not happened, so it is safe to retry",
    "repeat": "no answer; repeated with the same key",
    "unknown": "nobody can tell",
}
# Which part of the story an event belongs to: pages colour them by it.
PHASES = {
    "attempt_failed": "retry",
    "reconciled": "retry",
    "rolling_back": "undo",
    "compensation_started": "undo",
    "compensation_failed_attempt": "undo",
    "compensated": "undo",
    "compensation_failed": "failure",
    "step_failed": "failure",
    "step_unknown": "failure",
    "takeover": "run",
    "review": "failure",
    "reviewed": "run",
    "run_finished": "run",
}
# Events at the same instant (a test's clock, a coarse one) keep a causal order.
RANKS = {
    kind: rank
    for rank, kind in enumerate(
        [
            "takeover",
            "step_started",
            "attempt_failed",
            "reconciled",
            "step_completed",
            "step_skipped",
            "step_failed",
            "step_unknown",
            "review",
            "reviewed",
            "rolling_back",
            "compensation_started",
            "compensation_failed_attempt",
            "compensated",
            "compensation_failed",
            "run_finished",
        ]
    )
}
# A step whose forward action completed, whatever happened to it after.
FORWARD_DONE = (
    StepStatus.COMPLETED,
    StepStatus.COMPENSATING,
    StepStatus.COMPENSATED,
    StepStatus.NEEDS_REVIEW,
)
FORWARD_ENDED = {
    StepStatus.FAILED: "step_failed",
    StepStatus.UNKNOWN: "step_unknown",
    StepStatus.SKIPPED: "step_skipped",
}


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened to a run: when, what, to which step."""

    at: datetime
    kind: str
    step: str
    text: str
    # Time since the run's first event, to read the back-off at a glance.
    since_start: timedelta = timedelta()
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def phase(self) -> str:
        """Return "forward", "retry", "undo", "failure" or "run"."""
        return PHASES.get(self.kind, "forward")

    @property
    def offset(self) -> str:
        """Return the time since the run's first event, as "+1.234 s"."""
        return f"+{self.since_start.total_seconds():.3f} s"


def timeline_of(run: SagaRun, steps: list[StepRecord]) -> list[TimelineEvent]:
    """Return the events of ``run`` (with its ``steps``), oldest first."""
    positions = {row.name: row.position for row in steps}
    raw: list[tuple[datetime, str, str, dict[str, Any]]] = []
    for row in steps:
        raw.extend(_step_events(row))
    for entry in run.timeline:
        at = parse_datetime(entry.get("at", ""))
        if at is not None:
            data = {k: v for k, v in entry.items() if k not in ("at", "kind", "step")}
            raw.append((at, entry.get("kind", ""), entry.get("step", ""), data))
    if run.finished_at:
        raw.append((run.finished_at, "run_finished", "", {"status": run.status}))
    raw.sort(key=lambda e: (e[0], RANKS.get(e[1], 99), positions.get(e[2], 0)))
    start = raw[0][0] if raw else None
    return [
        TimelineEvent(
            at=at,
            kind=kind,
            step=step,
            text=_text(kind, step, data),
            since_start=at - start,
            data=data,
        )
        for at, kind, step, data in raw
    ]


def _step_events(row: StepRecord) -> list[tuple[datetime, str, str, dict]]:
    """Return the forward events the step's journal entry holds."""
    events = []
    if row.started_at:
        events.append((row.started_at, "step_started", row.name, {}))
    if row.finished_at:
        kind = "step_completed" if row.status in FORWARD_DONE else None
        kind = kind or FORWARD_ENDED.get(row.status)
        if kind is not None:
            data = {"attempts": row.attempts, "error": row.last_error}
            events.append((row.finished_at, kind, row.name, data))
    return events


def _text(kind: str, step: str, data: dict[str, Any]) -> str:
    template = TEXTS.get(kind)
    if template is None:
        return f"{kind} {step}".strip()
    values = {
        "step": step,
        "error": data.get("error") or "no error recorded",
        "attempt": data.get("attempt", "?"),
        "retry": _retry(data.get("delay")),
        "answer": ANSWERS.get(str(data.get("outcome")), str(data.get("outcome"))),
        "reason": _reason(data.get("reason")),
        "count": data.get("count", "?"),
        "status": str(data.get("status", "")).replace("_", " "),
        "note": data.get("note", ""),
    }
    text = template.format(**values)
    if kind == "step_completed" and int(data.get("attempts") or 1) > 1:
        text += f" at attempt {data['attempts']}"
    return text


def _retry(delay: Any) -> str:
    if delay is None:
        return "no retry"
    if not delay:
        return "tried again at once"
    return f"waited {float(delay):.3f} s before the next"


def _reason(reason: Any) -> str:
    try:
        return SagaRun.Reason(reason).label.lower()
    except ValueError:
        return str(reason or "")
