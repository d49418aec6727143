"""The runner: drives one run forward, through its parallel groups, or back.

This module drives; the others are driven: ``attempts`` calls a step with its
retries, ``recording`` runs one transaction of local writes and journal,
``journal`` is the fenced write, ``members`` says where group members run.

Cost, step by step (see ``sagas.definition`` for the rules):

- a local step, and every local step right after it, commit in the
  recording of the step before them: no transaction of their own;
- an external step that recovery can settle (idempotent or reconcilable) has
  no write before its call; its ``record`` and its journal entry are one
  recording after the call;
- an external step recovery cannot settle is written ``started`` first;
- each recording also marks the next step ``started`` (so a cancellation can
  tell that the pivot is under way) and, at the end, the run finished.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from sagas import signals
from sagas.clock import Clock, get_clock
from sagas.context import Batch, StepContext
from sagas.definition import Parallel, RetryPolicy, Rule, Saga, Step
from sagas.exceptions import (
    CompensationError,
    LeaseLost,
    NeedsReview,
    OutcomeUnknown,
    StepError,
)
from sagas.lease import takeovers_allowed
from sagas.models import SagaRun, StepStatus
from sagas.records import StepRecord, journal_of, records_for
from sagas.registry import get_saga
from sagas.results import RunResult
from sagas.runner.attempts import Result, Settlement, Verdict, retry_call, run_action
from sagas.runner.journal import Journal, error_text
from sagas.runner.members import members_run
from sagas.runner.recording import Body, Recording, RecordingFailed
from sagas.runner.spans import call_span, compensation_span, hook_span, step_span
from sagas.tracing import NULL_SPAN, TraceSpan, get_tracer

Reason, RunStatus = SagaRun.Reason, SagaRun.Status
HOOK_RETRY = RetryPolicy()
DONE = (StepStatus.COMPLETED, StepStatus.SKIPPED)
# A step found compensating was being undone when its worker died; one found
# needs_review is being retried by a reviewer. Both are undone (again):
# compensations are idempotent by their key.
TO_UNDO = (StepStatus.COMPLETED, StepStatus.COMPENSATING, StepStatus.NEEDS_REVIEW)
REVIEW_ERRORS = {
    Reason.OUTCOME_UNKNOWN: OutcomeUnknown,
    Reason.COMPENSATION_FAILED: CompensationError,
    Reason.ON_COMPENSATED_FAILED: CompensationError,
}


class StopKind(enum.IntEnum):
    """Why the forward pass stopped; a lower value wins within a parallel group."""

    REVIEW = 1
    FAILED = 2
    CANCELLED = 3


@dataclass
class Stop:
    """The forward pass cannot go on: compensate, or wait for a person."""

    kind: StopKind
    step: str | None = None
    error: BaseException | str | None = None
    reason: str = Reason.STEP_FAILED


class Runner:
    """Advance one run while holding its lease."""

    def __init__(
        self,
        *,
        run: SagaRun,
        saga: Saga,
        owner: str,
        clock: Clock | None = None,
        records: list[StepRecord] | None = None,
        taken_over: bool = False,
    ) -> None:
        self.run, self.saga = run, saga
        self.clock = clock or get_clock()
        rows = records or records_for(saga, run.operation_id, run.steps)
        self.records = {record.name: record for record in rows}
        run.step_rows = rows  # the same objects, kept current as the run goes
        self.journal = Journal(
            run=run, saga=saga, owner=owner, clock=self.clock, records=self.records
        )
        # Steps marked started by this process: any other ``started`` step was
        # left behind by a worker that died, so its outcome is unknown.
        self.started_here: set[str] = set()
        self.failure: Stop | None = None
        self.lock = threading.Lock()
        self.thread_id = threading.get_ident()
        self.taken_over = taken_over
        # The span of this execution: the parent of every step's span.
        self.span: TraceSpan = NULL_SPAN

    @classmethod
    def load(cls, run_id: int, *, owner: str, **kwargs: Any) -> Runner:
        """Return a runner for the stored run ``run_id`` (whose lease we hold)."""
        run = SagaRun.objects.get(pk=run_id)
        return cls(run=run, saga=get_saga(run.saga), owner=owner, **kwargs)

    def execute(self) -> RunResult:
        """Advance the run as far as it can go and return how it stands.

        A completed or compensated run is a result. A run that stops for a
        person raises ``NeedsReview`` (``OutcomeUnknown``, ``CompensationError``);
        ``LeaseLost`` means another worker took it over.
        """
        run = self.run
        attributes = {
            "saga.name": self.saga.name,
            "saga.operation_id": run.operation_id,
            "saga.run_id": run.pk,
            "saga.takeovers": run.takeovers,
        }
        # A run resumed in another trace (the sweeper's, a reviewer's) points
        # back to the trace that recorded it.
        links = [run.trace_context] if run.trace_context else []
        with get_tracer().span(
            f"saga.run {self.saga.name}", attributes, links=links
        ) as self.span:
            if self.taken_over:
                self.journal.event("takeover", count=run.takeovers)
            self._execute()
            self.span.set({"saga.status": run.status})
        return RunResult(run)

    def _execute(self) -> None:
        active = self.run.status in (RunStatus.RUNNING, RunStatus.COMPENSATING)
        if active and self.run.takeovers > takeovers_allowed():
            self._review(
                reason=Reason.CRASH_LOOP,
                error=f"taken over {self.run.takeovers} times: its workers kept dying",
                step=None,
            )
        if self.run.status == RunStatus.RUNNING:
            stop = self._forward()
            if stop is not None:
                self._turn_around(stop)
        if self.run.status == RunStatus.COMPENSATING:
            self._backward()
            self._finish(RunStatus.COMPENSATED)

    def begin(self, *, claim: bool) -> None:
        """Run the leading local steps of a run not stored yet, then store it.

        Called inside the caller's transaction (``saga_record``): the steps'
        writes, the run's row and the caller's own rows commit together, or
        not at all. A step that refuses (a business error) or keeps failing
        raises ``StepError`` carrying that error: the caller's transaction
        must roll back, and nothing of the run is kept. A transient error is
        retried in place while the transaction is still usable.
        With ``claim``, the step after them is marked started for this process.
        """
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            raise RuntimeError("A new run is recorded inside a transaction.")
        tracer, run = get_tracer(), self.run
        attributes = {
            "saga.name": self.saga.name,
            "saga.operation_id": run.operation_id,
        }
        with tracer.span(f"saga.start {self.saga.name}", attributes) as self.span:
            batches: dict[str, Batch] = {}
            leading = self.saga.leading_local()
            for step in leading:
                with self._step_span(step):
                    self._begin_step(step, connection, batches)
            for batch in batches.values():
                batch.flush()
            after = self._first_undone(len(leading))
            if claim and after is not None:
                for record, _ in self._mark_next(after):
                    self.started_here.add(record.name)
            run.state = self.saga.state_dump(self.journal.state)
            run.steps = journal_of(list(self.records.values()))
            run.timeline = self.journal.timeline
            # Where this run began, for whoever resumes it in another trace:
            # part of the run's INSERT, so it costs no round trip.
            run.trace_context = tracer.context()
            run.save(force_insert=True)

    def _begin_step(self, step: Step, connection: Any, batches: dict) -> None:
        """Run one leading local step in the caller's transaction, with retries."""
        record, attempt = self.records[step.name], 1
        begun = self.clock.now()
        while True:
            ctx = self._context(step.name, self.journal.state, attempt, batches)
            self._signal(signals.step_started, step=step.name, attempt=attempt)
            try:
                with self._attempt_span(step, attempt):
                    step.action(ctx)
                break
            except Exception as raised:
                error = raised
                refused = isinstance(error, self.saga.business_errors)
                self._signal(
                    signals.step_failed,
                    step=step.name,
                    error=error,
                    outcome=StepStatus.FAILED,
                )
                usable = not connection.needs_rollback
                if refused or not usable or attempt >= step.retry.max_attempts:
                    raise StepError(
                        error_text(error), step=step.name, error=error
                    ) from error
            delay = step.retry.delay(attempt, self.clock.rng)
            self.journal.event(
                "attempt_failed",
                step.name,
                attempt=attempt,
                error=error_text(error),
                delay=round(delay, 3),
            )
            self.clock.sleep(delay)
            attempt += 1
        self.journal.state = ctx.state
        record.attempts, record.started_at = attempt, begun
        self.journal.ended(record, StepStatus.COMPLETED)

    # -- the forward pass --------------------------------------------------------------

    def _forward(self) -> Stop | None:
        for index, item in enumerate(self.saga.steps):
            if self._done(item):
                continue
            if isinstance(item, Parallel):
                stop = self._group(index, item)
            else:
                stop = self._step(index, item)
            if stop is not None:
                return stop
        if self.run.status == RunStatus.RUNNING:
            self._finish(RunStatus.COMPLETED)
        return None

    def _step(self, index: int, step: Step) -> Stop | None:
        record = self.records[step.name]
        if record.status == StepStatus.FAILED:
            # Failed earlier (its worker died before turning the run around):
            # decide as if it had just failed.
            return self._failed(step, record.last_error)
        # A step already under way (a dead worker's) is settled first: its
        # effect may have happened, and only a completed step is undone.
        pending = record.status == StepStatus.PENDING
        if pending and self.run.cancel_requested and self._cancellable():
            return Stop(StopKind.CANCELLED)
        if step.local:
            return self._local(index, step)
        return self._external(index, step)

    def _local(self, index: int, step: Step) -> Stop | None:
        """Run a local step: its action and journal entry in one recording."""
        with self._step_span(step):
            record = self.records[step.name]
            attempt = record.attempts + 1
            while True:
                try:
                    return self._advance(index, [self._local_body(step, attempt)])
                except RecordingFailed as failed:
                    error = _raise_lease_lost(failed.error)
                if isinstance(error, self.saga.business_errors):
                    return self._step_failed(step, attempt, error)
                if attempt >= step.retry.max_attempts:
                    return self._step_failed(step, attempt, error)
                attempt = self._pause(step, step.retry, attempt, error)

    def _local_body(self, step: Step, attempt: int, *, folded: bool = False) -> Body:
        """Return a local step's action as a body of a recording.

        ``folded``: it rides in the recording of the step before it, whose
        span is current; its own span is then opened under the run's.
        """
        record = self.records[step.name]
        begun = self.clock.now()

        def done() -> None:
            record.attempts = attempt
            record.started_at = record.started_at or begun
            self.journal.ended(record, StepStatus.COMPLETED)

        def span() -> Any:
            if folded:
                return self._folded_span(step, attempt)
            return self._attempt_span(step, attempt)

        signals.step_started.send(
            sender=self.saga, run=self.run, step=step.name, attempt=attempt
        )
        return Body(step.name, step.action, attempt=attempt, done=done, span=span)

    def _external(self, index: int, step: Step) -> Stop | None:
        """Call an external step, then record what it did (see the module doc)."""
        with self._step_span(step):
            return self._external_step(index, step)

    def _external_step(self, index: int, step: Step) -> Stop | None:
        record = self.records[step.name]
        if record.status == StepStatus.PENDING:
            snapshot = self.journal.snapshot()
            self.journal.started(record)
            # Nobody could tell after a crash whether it ran: say so first.
            first = step.rule is Rule.RECORD_FIRST
            if first and not self.journal.write(cancellable=self._cancellable()):
                self.journal.restore(snapshot)  # cancelled: it never began
                return Stop(StopKind.CANCELLED)
            self.started_here.add(step.name)
        result = self._attempt(step)
        if result.verdict is Verdict.COMPLETED:
            self._adopt(result.state)
            return self._recorded(index, step)
        return self._not_completed(step, result)

    def _attempt(self, step: Step) -> Result:
        """Bring an external step's action to a verdict, retrying by its policy."""
        record = self.records[step.name]
        resumed = step.name not in self.started_here
        base = self._snapshot()
        signals.step_started.send(
            sender=self.saga, run=self.run, step=step.name, attempt=record.attempts
        )

        def on_retry(attempt: int, error: BaseException | str, delay: float) -> None:
            with self.lock:
                self.journal.event(
                    "attempt_failed",
                    step.name,
                    attempt=attempt - 1,
                    error=error_text(error),
                    delay=round(delay, 3),
                )
            if threading.get_ident() == self.thread_id:
                self.journal.renew_if_due()  # only the driving thread writes
            self._signal(
                signals.step_retrying,
                step=step.name,
                attempt=attempt,
                error=error,
                delay=delay,
            )

        def on_settled(settlement: Settlement, why: str) -> None:
            with self.lock:
                self.journal.event("reconciled", step.name, outcome=settlement.value)

        result = run_action(
            step,
            saga=self.saga,
            clock=self.clock,
            make_context=lambda attempt: self._context(step.name, base, attempt),
            attempt=max(record.attempts, 1),
            resumed=resumed,
            on_retry=on_retry,
            on_settled=on_settled,
        )
        record.attempts = result.attempt
        if result.verdict is Verdict.COMPLETED:
            result.state = _changes(base, result.state)
        return result

    def _not_completed(self, step: Step, result: Result) -> Stop | None:
        record = self.records[step.name]
        unknown = result.verdict is Verdict.UNKNOWN
        status = StepStatus.UNKNOWN if unknown else StepStatus.FAILED
        self.journal.ended(record, status, result.error)
        self._signal(
            signals.step_failed, step=step.name, error=result.error, outcome=status
        )
        if step.best_effort:
            return None  # whatever happened, it must not hold the run up
        if unknown:
            return Stop(
                StopKind.REVIEW, step.name, result.error, Reason.OUTCOME_UNKNOWN
            )
        return self._failed(step, result.error)

    def _recorded(self, index: int, step: Step) -> Stop | None:
        """Record an external step that took effect (retrying the recording only)."""
        record = self.records[step.name]
        attempt = 1
        while True:
            bodies = [Body(step.name, step.record)] if step.record else []
            try:
                return self._advance(
                    index,
                    bodies,
                    mark=lambda: self.journal.ended(record, StepStatus.COMPLETED),
                )
            except RecordingFailed as failed:
                error = _raise_lease_lost(failed.error)
            transient = not isinstance(error, self.saga.business_errors)
            if not transient or attempt >= step.retry.max_attempts:
                # It happened outside, and we cannot write so: a person must see.
                self.journal.ended(record, StepStatus.UNKNOWN, error)
                reason = Reason.OUTCOME_UNKNOWN
                return Stop(StopKind.REVIEW, step.name, f"recording: {error}", reason)
            attempt = self._pause(step, step.retry, attempt, error)

    def _group(self, index: int, group: Parallel) -> Stop | None:
        """Run a group's members, then record the whole group in one recording."""
        members = [member for member in group.steps if not self._done(member)]
        snapshot = self.journal.snapshot()
        first = []
        for member in members:
            record = self.records[member.name]
            if record.status == StepStatus.PENDING:
                self.journal.started(record)
                self.started_here.add(member.name)
                if member.rule is Rule.RECORD_FIRST:
                    first.append(member)
        if first and not self.journal.write(cancellable=self._cancellable()):
            self.journal.restore(snapshot)  # cancelled: none of them began
            return Stop(StopKind.CANCELLED)
        stopped = threading.Event()  # a sibling failed: the others must not begin
        results = members_run(
            [lambda member=member: self._member(member, stopped) for member in members]
        )
        bodies, completed, stops = [], [], []
        for member, result in zip(members, results, strict=True):
            record = self.records[member.name]
            if result is None:
                self.journal.ended(record, StepStatus.SKIPPED)
                continue
            if result.verdict is Verdict.COMPLETED:
                self._adopt(result.state)
                completed.append(record)
                if member.record:
                    bodies.append(Body(member.name, member.record))
                continue
            stop = self._not_completed(member, result)
            if stop is not None:
                stops.append(stop)

        def mark() -> None:
            for record in completed:
                self.journal.ended(record, StepStatus.COMPLETED)

        if stops:
            self._advance(index, bodies, mark=mark, go_on=False)
            return min(stops, key=lambda stop: stop.kind)
        return self._advance(index, bodies, mark=mark)

    def _member(self, step: Step, stopped: threading.Event) -> Result | None:
        record = self.records[step.name]
        if stopped.is_set() and record.name in self.started_here:
            return None  # not begun yet, and a sibling failed: skip it
        with self._step_span(step) as span:
            result = self._attempt(step)
            span.set({"saga.outcome": result.verdict.value})
        if result.verdict is not Verdict.COMPLETED and not step.best_effort:
            stopped.set()
        return result

    # -- recordings --------------------------------------------------------------------

    def _advance(
        self,
        index: int,
        bodies: list[Body],
        *,
        mark: Any = None,
        go_on: bool = True,
    ) -> Stop | None:
        """Record item ``index`` done, with the local steps after it, in one commit.

        ``bodies`` are the item's own writes (a record, a local action). Then,
        when ``go_on``: the local steps that follow are folded in, the next
        step is marked started, and if nothing follows the run is finished
        with its ``on_completed`` hook. A folded step or the hook that raises
        is left out and the recording tried again without it; the runner then
        meets it on its own. Raise ``RecordingFailed`` when ``bodies`` raise.
        """
        item = self.saga.steps[index]
        folded = self._locals_after(index) if go_on else []
        with_hook = True
        while True:
            snapshot = self.journal.snapshot()
            if mark is not None:
                mark()
            parts = list(bodies)
            parts += [
                self._local_body(
                    step, self.records[step.name].attempts + 1, folded=True
                )
                for step in folded
            ]
            after = self._first_undone(index + len(folded) + 1) if go_on else -1
            finishing = go_on and after is None
            hook = self.saga.on_completed if finishing and with_hook else None
            if hook is not None:
                parts.append(self._hook_body("on_completed", hook))
            # Asked before the pivot is marked started: this write is the last
            # one a cancellation can stop.
            cancellable = not finishing and self._cancellable(done=item)
            marked = [] if not go_on or finishing else self._mark_next(after)
            status = (
                RunStatus.COMPLETED
                if finishing and (with_hook or not self.saga.on_completed)
                else None
            )

            write = partial(self._write_advance, cancellable, status, marked)
            recording = self._recording(parts, write)
            try:
                went_on = recording.run()
            except RecordingFailed as failed:
                self.journal.restore(snapshot)
                _raise_lease_lost(failed.error)
                extra = failed.index - len(bodies)
                if extra < 0:
                    raise
                if hook is not None and failed.index == len(parts) - 1:
                    with_hook = False
                else:
                    folded = folded[:extra]
                continue
            break
        for name in [body.name for body in parts if body.name != "on_completed"]:
            self._signal(signals.step_completed, step=name)
        if went_on:
            for record, _ in marked:
                self.started_here.add(record.name)
        if status is not None:
            self._signal(signals.run_finished, status=status)
        return None if went_on else Stop(StopKind.CANCELLED)

    def _write_advance(
        self,
        cancellable: bool,
        status: str | None,
        marked: list[tuple[StepRecord, dict]],
    ) -> bool:
        """Write an advance; if a cancellation refuses it, write what was done."""
        now = self.clock.now()
        for record, _ in marked:
            # Marked before the bodies ran; it may begin once they are written.
            record.started_at = now
        if self.journal.write(
            cancellable=cancellable, status=status, release=bool(status)
        ):
            return True
        # Cancelled meanwhile: keep what was done, start nothing more.
        for record, previous in marked:
            record.__dict__.update(previous)
        self.journal.write()
        return False

    def _recording(self, bodies: list[Body], write: Any, *, durable: bool = True):
        def set_state(state: Any) -> None:
            self.journal.state = state

        return Recording(
            bodies=bodies,
            write=write,
            make_context=self._batched_context,
            get_state=lambda: self.journal.state,
            set_state=set_state,
            durable=durable,
        )

    def _locals_after(self, index: int) -> list[Step]:
        """Return the local steps right after item ``index``: its record takes them."""
        folded = []
        for item in self.saga.steps[index + 1 :]:
            if not isinstance(item, Step) or not item.local or self._done(item):
                break
            if self.records[item.name].status == StepStatus.FAILED:
                break
            folded.append(item)
        return folded

    def _first_undone(self, start: int) -> int | None:
        for index in range(start, len(self.saga.steps)):
            if not self._done(self.saga.steps[index]):
                return index
        return None

    def _mark_next(self, index: int) -> list[tuple[StepRecord, dict]]:
        """Mark the external step(s) of item ``index`` started, in memory."""
        item = self.saga.steps[index]
        steps = item.steps if isinstance(item, Parallel) else [item]
        marked = []
        for step in steps:
            record = self.records[step.name]
            if step.local or record.status != StepStatus.PENDING:
                continue
            marked.append((record, dict(record.__dict__)))
            self.journal.started(record)
        return marked

    # -- turning around, and the backward pass -----------------------------------------

    def _failed(self, step: Step, error: BaseException | str | None) -> Stop:
        if not step.retriable_only:
            return Stop(StopKind.FAILED, step.name, error)
        return Stop(StopKind.REVIEW, step.name, error, Reason.STEP_EXHAUSTED)

    def _step_failed(self, step: Step, attempt: int, error: BaseException) -> Stop:
        record = self.records[step.name]
        record.attempts = attempt
        self.journal.ended(record, StepStatus.FAILED, error)
        self._signal(
            signals.step_failed, step=step.name, error=error, outcome=StepStatus.FAILED
        )
        return self._failed(step, error)

    def _turn_around(self, stop: Stop) -> None:
        where = f"{stop.step}: " if stop.step else ""
        error = f"{where}{error_text(stop.error)}"
        if stop.kind is StopKind.REVIEW:
            cause = stop.error if isinstance(stop.error, BaseException) else None
            self._review(reason=stop.reason, error=error, step=stop.step, cause=cause)
        if stop.kind is StopKind.CANCELLED:
            reason, error = Reason.CANCELLED, "cancellation requested"
        else:
            self.failure, reason = stop, Reason.STEP_FAILED
        self.journal.event("rolling_back", stop.step, reason=reason)
        self.journal.write(status=RunStatus.COMPENSATING, reason=reason, error=error)

    def _backward(self) -> None:
        """Compensate completed steps in reverse order; stop at one that keeps failing.

        Stopping (rather than skipping to earlier steps) keeps the reverse order
        a promise: an earlier undo may rely on the later one having happened.
        Each undo runs outside any transaction (it may call an external
        system); its journal entry is one write once it succeeded.
        """
        for flat in reversed(self.saga.flat()):
            step, record = flat.step, self.records[flat.step.name]
            if step.compensation is None or record.status not in TO_UNDO:
                continue
            undo_key = self.saga.undo_key(self.run.operation_id, step.name)
            with compensation_span(step.name, key=undo_key):
                self._compensate(step, record)

    def _compensate(self, step: Step, record: StepRecord) -> None:
        """Undo one step, retried by its policy; stop the run if it keeps failing."""
        self.journal.event("compensation_started", step.name)
        base = self._snapshot()

        def on_retry(attempt: int, error: Any, delay: float) -> None:
            self.journal.event(
                "compensation_failed_attempt",
                step.name,
                attempt=attempt - 1,
                error=error_text(error),
                delay=round(delay, 3),
            )
            self.journal.renew_if_due()
            self._signal(
                signals.step_retrying,
                step=step.name,
                attempt=attempt,
                error=error,
                delay=delay,
                compensation=True,
            )

        result = retry_call(
            step.compensation,
            policy=step.compensation_retry,
            clock=self.clock,
            make_context=lambda attempt: self._context(step.name, base, attempt),
            attempt=1,
            on_retry=on_retry,
            timeout=step.timeout,
            undo=True,
        )
        record.compensation_attempts = result.attempt
        if result.verdict is not Verdict.COMPLETED:
            self.journal.ended(record, StepStatus.NEEDS_REVIEW, result.error)
            self.journal.event(
                "compensation_failed", step.name, error=error_text(result.error)
            )
            self._signal(
                signals.compensation_failed, step=step.name, error=result.error
            )
            cause = result.error if isinstance(result.error, BaseException) else None
            self._review(
                reason=Reason.COMPENSATION_FAILED,
                error=f"{step.name}: {record.last_error}",
                step=step.name,
                cause=cause,
            )
        self._adopt(_changes(base, result.state))
        self.journal.ended(record, StepStatus.COMPENSATED)
        self.journal.event("compensated", step.name)
        self.journal.write()
        self._signal(signals.compensation_completed, step=step.name)

    # -- ends of a run -----------------------------------------------------------------

    def _finish(self, status: str) -> None:
        """Record the run ``status`` with its end hook, in one recording.

        The hook (``on_completed`` or ``on_compensated``) is local bookkeeping of
        the domain app (the order's last move); it is retried like a step and,
        if it keeps failing, the run stops for review.
        """
        completing = status == RunStatus.COMPLETED
        name = "on_completed" if completing else "on_compensated"
        hook = self.saga.on_completed if completing else self.saga.on_compensated
        attempt = 1
        while True:
            bodies = [self._hook_body(name, hook)] if hook else []

            def write() -> bool:
                return self.journal.write(status=status, release=True)

            snapshot = self.journal.snapshot()
            try:
                self._recording(bodies, write).run()
                break
            except RecordingFailed as failed:
                self.journal.restore(snapshot)
                error = _raise_lease_lost(failed.error)
            if attempt >= HOOK_RETRY.max_attempts:
                reason = (
                    Reason.ON_COMPLETED_FAILED
                    if completing
                    else Reason.ON_COMPENSATED_FAILED
                )
                self._review(
                    reason=reason,
                    error=f"{name}: {error_text(error)}",
                    step=name,
                    cause=error,
                )
            attempt = self._pause(None, HOOK_RETRY, attempt, error, name=name)
        self._signal(signals.run_finished, status=status)

    def _review(
        self,
        *,
        reason: str,
        error: str,
        step: str | None,
        cause: BaseException | None = None,
    ) -> None:
        """Stop the run for a person, tell everyone, and raise the matching error.

        The status and whatever ``run_needs_review`` receivers write (the
        outbox's event) commit together.
        """
        with transaction.atomic(durable=True):
            self.journal.event("review", step, reason=reason)
            self.journal.write(
                status=RunStatus.NEEDS_REVIEW, reason=reason, error=error, release=True
            )
            signals.run_needs_review.send(
                sender=self.saga, run=self.run, reason=reason, step=step, error=error
            )
        self._signal(signals.run_finished, status=RunStatus.NEEDS_REVIEW)
        kind = REVIEW_ERRORS.get(reason, NeedsReview)
        raise kind(self.run.error, run=self.run, step=step) from cause

    # -- spans (see sagas.runner.spans) ----------------------------------------------

    def _step_span(self, step: Step, *, parent: TraceSpan | None = None) -> Any:
        return step_span(step, self.records[step.name], parent=parent)

    def _attempt_span(self, step: Step, attempt: int) -> Any:
        key = self.records[step.name].idempotency_key
        return call_span("attempt", step.name, attempt=attempt, key=key)

    @contextmanager
    def _folded_span(self, step: Step, attempt: int) -> Iterator[TraceSpan]:
        # Recorded in the transaction of the step before it, yet a step of the
        # run like any other: a child of the run's span, not of that step's.
        with (
            self._step_span(step, parent=self.span),
            self._attempt_span(step, attempt) as span,
        ):
            yield span

    def _hook_body(self, name: str, hook: Any) -> Body:
        return Body(name, hook, span=lambda: hook_span(name, parent=self.span))

    # -- helpers -----------------------------------------------------------------------

    def _done(self, item: Step | Parallel) -> bool:
        if isinstance(item, Parallel):
            return all(self._done(member) for member in item.steps)
        status = self.records[item.name].status
        if status in DONE:
            return True
        return item.best_effort and status in (StepStatus.FAILED, StepStatus.UNKNOWN)

    def _cancellable(self, *, done: Step | Parallel | None = None) -> bool:
        """Return whether a cancellation still applies: the pivot has not begun.

        ``done``: the item a recording is about to record; once it is the
        pivot, nothing is left that a cancellation could stop.
        """
        pivot = self.saga.pivot
        if pivot is None:
            return True
        if isinstance(done, Step) and done.name == pivot:
            return False
        return self.records[pivot].status == StepStatus.PENDING

    def _pause(
        self,
        step: Step | None,
        policy: RetryPolicy,
        attempt: int,
        error: BaseException,
        *,
        name: str | None = None,
    ) -> int:
        """Note a failed attempt, wait the policy's delay; return the next number."""
        name = name or (step.name if step else "")
        delay = policy.delay(attempt, self.clock.rng)
        self.journal.event(
            "attempt_failed",
            name,
            attempt=attempt,
            error=error_text(error),
            delay=round(delay, 3),
        )
        self._signal(
            signals.step_retrying,
            step=name,
            attempt=attempt + 1,
            error=error,
            delay=delay,
        )
        self.journal.renew_if_due()
        self.clock.sleep(delay)
        return attempt + 1

    def _snapshot(self) -> Any:
        # The state is never changed in place (``_adopt`` replaces it): the
        # current object is the base an attempt copies and compares with.
        with self.lock:
            return self.journal.state

    def _adopt(self, changes: dict[str, Any]) -> None:
        """Keep the fields an attempt changed (members share the state)."""
        if changes:
            with self.lock:
                self.journal.state = dataclasses.replace(self.journal.state, **changes)

    def _context(
        self, name: str, base: Any, attempt: int, batches: dict | None = None
    ) -> StepContext[Any]:
        failed = self._failed_record()
        return StepContext(
            state=self.saga.state_copy(base),
            saga=self.saga.name,
            operation_id=self.run.operation_id,
            step_name=name,
            idempotency_key=self.saga.idempotency_key(self.run.operation_id, name),
            undo_key=self.saga.undo_key(self.run.operation_id, name),
            attempt=attempt,
            run_id=self.run.pk,
            failure_code=(failed.error_code if failed else "") or self.run.error_code,
            failure=self.run.error if self.run.status != RunStatus.RUNNING else "",
            _batches=batches,
        )

    def _batched_context(
        self, body: Body, state: Any, batches: dict[str, Batch]
    ) -> StepContext[Any]:
        return self._context(body.name, state, body.attempt, batches)

    def _failed_record(self) -> StepRecord | None:
        return next(
            (r for r in self.records.values() if r.status == StepStatus.FAILED), None
        )

    def _signal(self, signal: Signal, **kwargs: Any) -> None:
        signal.send(sender=self.saga, run=self.run, **kwargs)


def _raise_lease_lost(error: BaseException) -> BaseException:
    """Return ``error``, unless it says the lease is gone: then raise it."""
    if isinstance(error, LeaseLost):
        raise error
    return error


def _changes(base: Any, after: Any) -> dict[str, Any]:
    """Return the fields of ``after`` that differ from ``base``."""
    return {
        f.name: getattr(after, f.name)
        for f in dataclasses.fields(after)
        if getattr(after, f.name) != getattr(base, f.name)
    }
