"""The live timeline of saga runs: the engine's signals, and what its journal says.

The signals (``sagas.signals``) say when a step starts, retries, fails or is
undone, with the delay before the next attempt. The run's journal says the
rest, and is read each time a signal arrives: steps that completed without
a signal of their own (a run's first local steps, a group's members), reconcile
answers and reviews from its timeline (``SagaRun.timeline``), takeovers from
the run's own row. Nothing here queries the database: the runner hands each
signal the run it keeps current.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sagas import signals

logger = logging.getLogger(__name__)

# What a reconcile answer means, as the timeline records it.
SETTLEMENTS = {
    "completed": "reconcile: it happened, so it is recorded, not repeated",
    "not_happened": "reconcile: it did not happen, so calling again is safe",
    "repeat": "outcome unknown; idempotent, so repeated with the same key",
    "unknown": "outcome unknown, and nobody can tell: a person must look",
}
# Step statuses worth a line when the journal shows them.
SHOWN = ("completed", "failed", "unknown", "skipped", "compensated", "needs_review")

Emit = Callable[..., None]


@dataclass
class RunSeen:
    """What the timeline has shown of one run so far."""

    statuses: dict[str, str] = field(default_factory=dict)
    # Every (step, status) the timeline showed, in the order it showed them.
    changes: list[tuple[str, str]] = field(default_factory=list)
    entries: set[tuple[str, str, str]] = field(default_factory=set)
    takeovers: int = 0

    def steps_that_became(self, status: str) -> list[str]:
        """Return the steps that reached ``status``, in the order they did."""
        return [step for step, reached in self.changes if reached == status]


class SagaWatch:
    """Turn the engine's signals into timeline events while connected."""

    def __init__(self, *, emit: Emit, who: Callable[[str], str]) -> None:
        self.emit, self.who = emit, who
        self.seen: dict[str, RunSeen] = {}
        # (operation id, step) of every action started while connected, in order.
        self.started: list[tuple[str, str]] = []
        # Runs advance in several threads at once (a parallel group, two buyers).
        self.lock = threading.RLock()
        self.receivers = {
            signals.step_started: self.on_step_started,
            signals.step_retrying: self.on_step_retrying,
            signals.step_failed: self.on_step_failed,
            signals.step_completed: self.on_change,
            signals.compensation_completed: self.on_change,
            signals.compensation_failed: self.on_change,
            signals.run_finished: self.on_run_finished,
            signals.run_needs_review: self.on_run_needs_review,
        }

    def __enter__(self) -> SagaWatch:
        for signal, receiver in self.receivers.items():
            signal.connect(receiver, weak=False, dispatch_uid=self._uid(receiver))
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for signal, receiver in self.receivers.items():
            signal.disconnect(dispatch_uid=self._uid(receiver))

    # -- receivers: the engine requires that they never raise --------------------------

    def on_step_started(self, *, run: Any, step: str, attempt: int, **kw: Any) -> None:
        self.started.append((run.operation_id, step))
        self._safely(
            run, step, "started", f"started (attempt {attempt})", attempt=attempt
        )

    def on_step_retrying(
        self, *, run: Any, step: str, attempt: int, error: Any, delay: float, **kw: Any
    ) -> None:
        what = "undo attempt" if kw.get("compensation") else "attempt"
        text = f"{what} {attempt - 1} failed: {error}; retry in {delay:.2f} s"
        self._safely(run, step, "retry", text, attempt=attempt - 1, delay=delay)

    def on_step_failed(
        self, *, run: Any, step: str, error: Any, outcome: str, **kw: Any
    ) -> None:
        def show() -> None:
            self.sync(run)
            seen = self._seen(run)
            if seen.statuses.get(step) != outcome:
                # A first local step that refuses has no journal entry to show.
                seen.statuses[step] = str(outcome)
                self._step(run, step, str(outcome), f"{outcome}: {error}")

        self._guarded(show)

    def on_change(self, *, run: Any, **kw: Any) -> None:
        self._guarded(lambda: self.sync(run))

    def on_run_finished(self, *, run: Any, status: str, **kw: Any) -> None:
        def show() -> None:
            self.sync(run)
            self.emit("run", f"run {status}", who=self.who(run.operation_id))

        self._guarded(show)

    def on_run_needs_review(
        self, *, run: Any, reason: str, step: str | None, error: str, **kw: Any
    ) -> None:
        text = f"stops for a person ({reason}): {error}"
        self._guarded(
            lambda: self.emit(
                "review", text, who=self.who(run.operation_id), step=step or ""
            )
        )

    # -- the journal -------------------------------------------------------------------

    def sync(self, run: Any) -> None:
        """Show what the run's journal holds that the timeline has not shown yet."""
        seen = self._seen(run)
        who = self.who(run.operation_id)
        if run.takeovers > seen.takeovers:
            seen.takeovers = run.takeovers
            pid = run.lease_owner.split(":")[1] if run.lease_owner else "?"
            self.emit(
                "takeover",
                f"run taken over by pid {pid} (takeover {run.takeovers}): "
                "the last owner's lease expired",
                who=who,
            )
            self._resume_from_journal(run, seen)
        for entry in run.timeline:
            key = (entry.get("at", ""), entry.get("kind", ""), entry.get("step", ""))
            if key in seen.entries:
                continue
            seen.entries.add(key)
            if entry.get("kind") == "reconciled":
                text = SETTLEMENTS.get(entry.get("outcome"), str(entry))
                self.emit("reconciled", text, who=who, step=entry.get("step", ""))
            elif entry.get("kind") == "reviewed":
                text = f"reviewed: {entry.get('status')}, {entry.get('note')}"
                self.emit("review", text, who=who, step=entry.get("step", ""))
        for record in run.step_rows:
            status = str(record.status)
            if seen.statuses.get(record.name, "pending") == status:
                continue
            seen.statuses[record.name] = status
            seen.changes.append((record.name, status))
            if status in SHOWN:
                self._step(run, record.name, status, _status_text(record))

    def _resume_from_journal(self, run: Any, seen: RunSeen) -> None:
        """Say what a run taken over finds in its journal: what it will not redo."""
        done = [r.name for r in run.step_rows if r.status == "completed"]
        under_way = [r.name for r in run.step_rows if r.status == "started"]
        for record in run.step_rows:
            seen.statuses[record.name] = str(record.status)
        text = f"its journal: done {', '.join(done) or 'nothing'} (skipped)"
        if under_way:
            text += f"; started by the dead owner: {', '.join(under_way)}"
        self.emit("takeover", text, who=self.who(run.operation_id))

    def _step(self, run: Any, step: str, status: str, text: str, **data: Any) -> None:
        self.emit(
            "step",
            text,
            who=self.who(run.operation_id),
            step=step,
            status=status,
            saga=run.saga,
            operation_id=run.operation_id,
            **data,
        )

    def _safely(self, run: Any, step: str, status: str, text: str, **data: Any) -> None:
        def show() -> None:
            self.sync(run)
            if status == "retry":
                self.emit(
                    "retry", text, who=self.who(run.operation_id), step=step, **data
                )
            else:
                self._step(run, step, status, text, **data)

        self._guarded(show)

    def _guarded(self, show: Callable[[], None]) -> None:
        try:
            with self.lock:
                show()
        except Exception:  # a broken timeline must never break a saga
            logger.exception("saga_demo could not show a saga event")

    def _seen(self, run: Any) -> RunSeen:
        return self.seen.setdefault(run.operation_id, RunSeen())

    def _uid(self, receiver: Callable[..., Any]) -> str:
        return f"scenarios.timeline.{id(self)}.{receiver.__name__}"


def _status_text(record: Any) -> str:
    if record.status == "completed":
        tries = f" after {record.attempts} attempts" if record.attempts > 1 else ""
        return f"completed{tries}"
    if record.status == "failed":
        return f"failed after {record.attempts} attempt(s): {record.last_error}"
    if record.status == "unknown":
        return f"outcome unknown: {record.last_error}"
    if record.status == "compensated":
        tries = record.compensation_attempts
        return "undone" + (f" after {tries} attempts" if tries > 1 else "")
    if record.status == "needs_review":
        tries = record.compensation_attempts
        return f"undo failed {tries} times: {record.last_error}"
    return str(record.status)
