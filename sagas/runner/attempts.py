"""Calling a step: per-attempt timeout, retries, and settling unknown outcomes.

Nothing here touches the database: the runner passes callbacks that note
retries and reconcile answers in its journal, written with the next commit.
Three kinds of error lead three ways:

- a business error (``Saga.business_errors``) is final at once: never retried;
- an unknown-outcome error (``TimeoutError`` by default) means the effect may or
  may not have happened: ``settle()`` decides whether to retry;
- anything else is transient: retried by the step's policy.
"""

from __future__ import annotations

import contextvars
import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections

from sagas.clock import Clock
from sagas.context import StepContext
from sagas.definition import Outcome, RetryPolicy, Saga, Step
from sagas.runner.spans import call_span, span_failed

MakeContext = Callable[[int], StepContext]
# (the attempt about to start, why the last one failed, the pause before it)
OnRetry = Callable[[int, BaseException | str, float], None]
# (what settling a lost answer decided, and why)
OnSettled = Callable[["Settlement", str], None]


class Verdict(enum.Enum):
    """How one step ended in this process."""

    COMPLETED = "completed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Settlement(enum.Enum):
    """What to do about an attempt whose outcome was lost."""

    COMPLETED = "completed"  # reconcile saw the effect: nothing left to do
    NOT_HAPPENED = "not_happened"  # reconcile saw nothing: retrying is safe
    REPEAT = "repeat"  # unknown, but the step is idempotent: retry, same key
    UNKNOWN = "unknown"  # nobody can tell: a person must look


@dataclass
class Result:
    """The verdict on a step, the state its successful attempt left, the error."""

    verdict: Verdict
    state: Any = None
    error: BaseException | str | None = None
    # The number of the last attempt made.
    attempt: int = 1


def call_with_timeout(fn: Callable[[StepContext], Any], ctx: StepContext, timeout):
    """Call ``fn(ctx)``; raise ``TimeoutError`` if it takes over ``timeout`` seconds.

    The call runs in a daemon thread. A thread cannot be killed, so on expiry the
    call may still finish later, and its effect happen after all: that is exactly
    why an expired call's outcome is unknown rather than failed.
    """
    if timeout is None:
        return fn(ctx)
    box: dict[str, Any] = {}
    # The call's spans belong to the attempt that waits for it.
    context = contextvars.copy_context()

    def target() -> None:
        try:
            box["value"] = context.run(fn, ctx)
        except BaseException as exc:
            box["error"] = exc
        finally:
            connections.close_all()  # only this thread's connections

    thread = threading.Thread(target=target, name=f"saga-{ctx.step_name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"{ctx.step_name} gave no answer within {timeout:g}s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def settle(step: Step, ctx: StepContext) -> tuple[Settlement, str]:
    """Decide about an attempt whose answer was lost (a timeout, or a crash).

    ``reconcile`` asks the external system; it may record what it found (an id)
    in ``ctx.state``, which the runner keeps when the effect happened.
    """
    if step.reconcile is not None:
        with _call_span("reconcile", ctx) as span:
            try:
                outcome = call_with_timeout(step.reconcile, ctx, step.timeout)
            except Exception as exc:
                span.fail(exc)
                return (
                    Settlement.UNKNOWN,
                    f"reconcile failed: {type(exc).__name__}: {exc}",
                )
            span.set({"saga.outcome": str(outcome)})
        if outcome == Outcome.COMPLETED:
            return Settlement.COMPLETED, ""
        if outcome == Outcome.NOT_HAPPENED:
            return Settlement.NOT_HAPPENED, "reconcile: it did not happen"
        return Settlement.UNKNOWN, "reconcile cannot tell whether it happened"
    if step.idempotent:
        return Settlement.REPEAT, "outcome unknown; idempotent, so repeated"
    return Settlement.UNKNOWN, "outcome unknown; neither reconcilable nor idempotent"


def run_action(
    step: Step,
    *,
    saga: Saga,
    clock: Clock,
    make_context: MakeContext,
    attempt: int,
    resumed: bool,
    on_retry: OnRetry,
    on_settled: OnSettled | None = None,
) -> Result:
    """Bring a ``started`` step to a verdict, retrying by its policy.

    ``attempt`` is the number the step row already records as started. When
    ``resumed``, a previous owner died during that attempt: settle it first.
    """
    policy = step.retry
    settled = on_settled or (lambda settlement, why: None)
    # Whether an earlier attempt may have taken effect unseen: then running out
    # of attempts leaves the step unknown, not failed, whatever the last error.
    uncertain = False
    error: BaseException | str
    if resumed:
        ctx = make_context(attempt)
        settlement, error = settle(step, ctx)
        settled(settlement, error)
        if settlement is Settlement.COMPLETED:
            return Result(Verdict.COMPLETED, ctx.state, attempt=attempt)
        if settlement is Settlement.UNKNOWN:
            return Result(Verdict.UNKNOWN, error=error, attempt=attempt)
        uncertain = settlement is Settlement.REPEAT
        if attempt >= policy.max_attempts:
            return _exhausted(uncertain, error, attempt)
        attempt += 1
        on_retry(attempt, error, 0.0)
    while True:
        ctx = make_context(attempt)
        # The attempt's span holds the call and, when its answer was lost,
        # the reconcile that settles it; the pause before the next one is not
        # part of it.
        with _call_span("attempt", ctx) as span:
            try:
                call_with_timeout(step.action, ctx, step.timeout)
                span.set({"saga.outcome": "completed"})
                return Result(Verdict.COMPLETED, ctx.state, attempt=attempt)
            except saga.business_errors as exc:
                span_failed(span, exc, "refused")
                return Result(Verdict.FAILED, error=exc, attempt=attempt)
            except saga.unknown_outcome_errors as exc:
                # A fresh copy of the state: the timed-out call may still write
                # to its own.
                checked = make_context(attempt)
                settlement, why = settle(step, checked)
                settled(settlement, why)
                if settlement is Settlement.COMPLETED:
                    span.set({"saga.outcome": "completed"})
                    return Result(Verdict.COMPLETED, checked.state, attempt=attempt)
                error = f"{type(exc).__name__}: {exc}; {why}"
                span_failed(span, error, settlement.value)
                if settlement is Settlement.UNKNOWN:
                    return Result(Verdict.UNKNOWN, error=error, attempt=attempt)
                # reconcile looks up the key, so "not happened" covers every
                # attempt.
                uncertain = settlement is Settlement.REPEAT
            except Exception as exc:
                error = exc
                span_failed(span, exc, "failed")
            if attempt >= policy.max_attempts:
                return _exhausted(uncertain, error, attempt)
            delay = policy.delay(attempt, clock.rng)
            span.set({"saga.retry_delay": round(delay, 3)})
        attempt += 1
        on_retry(attempt, error, delay)
        clock.sleep(delay)


def _exhausted(uncertain: bool, error: BaseException | str, attempt: int) -> Result:
    # Out of attempts: a step we know did not happen has failed; one that may
    # have happened (idempotent, never confirmed) is still unknown.
    verdict = Verdict.UNKNOWN if uncertain else Verdict.FAILED
    return Result(verdict, error=error, attempt=attempt)


def retry_call(
    fn: Callable[[StepContext], Any],
    *,
    policy: RetryPolicy,
    clock: Clock,
    make_context: MakeContext,
    attempt: int,
    on_retry: OnRetry,
    timeout: float | None = None,
    undo: bool = False,
) -> Result:
    """Call a compensation or a hook until it succeeds or ``policy`` gives up.

    Compensations are idempotent by their key, so every error, a timeout
    included, is simply retried. ``undo``: it is a compensation, whose calls
    carry the undo key.
    """
    while True:
        ctx = make_context(attempt)
        with _call_span("attempt", ctx, undo=undo) as span:
            try:
                call_with_timeout(fn, ctx, timeout)
                span.set({"saga.outcome": "completed"})
                return Result(Verdict.COMPLETED, ctx.state, attempt=attempt)
            except Exception as exc:
                span_failed(span, exc, "failed")
                if attempt >= policy.max_attempts:
                    return Result(Verdict.FAILED, error=exc, attempt=attempt)
                delay = policy.delay(attempt, clock.rng)
                span.set({"saga.retry_delay": round(delay, 3)})
                error = exc
        attempt += 1
        on_retry(attempt, error, delay)
        clock.sleep(delay)


def _call_span(kind: str, ctx: StepContext, *, undo: bool = False) -> Any:
    # A compensation's calls carry the undo key: the one the other system saw.
    key = ctx.undo_key if undo else ctx.idempotency_key
    return call_span(kind, ctx.step_name, attempt=ctx.attempt, key=key)
