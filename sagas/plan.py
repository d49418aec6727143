"""A saga's recovery plan in Markdown, drawn from its definition and the code.

The template of seed 001: the steps, what each changes and keeps and how it
reports, the rollback order, the decision matrix, what happens when a
rollback fails and who hears of it, and the tests that prove it. Because the
plan is computed from the same flags the runner obeys, the receivers actually
connected and the tests actually marked, it cannot drift from what the
engine really does. The readiness checklist is ``sagas.readiness``.
"""

from __future__ import annotations

import string
import weakref
from collections.abc import Callable
from typing import Any

from sagas import signals
from sagas.definition import Parallel, Rule, Saga, Step
from sagas.lease import takeovers_allowed
from sagas.models import SagaRun
from sagas.partial_failures import MARKER, FailureKind, marked_tests
from sagas.runner.runner import HOOK_RETRY

NONE = "—"


def plan_markdown(saga: Saga) -> str:
    """Return the recovery plan of ``saga`` (see the module docstring)."""
    numbered = _numbered(saga)
    lines = [
        f"# Recovery plan: `{saga.name}`",
        "",
        f"- State: `{saga.state_type.__name__}`, saved after every step.",
        f"- Pivot: `{saga.pivot}` (after it the saga only goes forward)."
        if saga.pivot
        else "- Pivot: none (the saga can be rolled back until it completes).",
        f"- Business errors (never retried): {_names(saga.business_errors)}.",
        f"- Outcome unknown: {_names(saga.unknown_outcome_errors)}, or a step"
        " found `started` after a crash.",
        "- Idempotency key of every external call: "
        f"`{saga.name}:<operation_id>:<step>`.",
        "",
        "## Steps",
        "",
        "| id | step | forward action | compensation | idempotent | reconcile "
        "| data saved | retry policy | rollback condition |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for ident, step, group in numbered:
        name = f"`{step.name}`" + (f" (parallel `{group}`)" if group else "")
        lines.append(
            _row(
                ident,
                name,
                step.description or _callable(step.action),
                _callable(step.compensation),
                "yes" if step.idempotent else "no",
                _callable(step.reconcile),
                ", ".join(f"`{field}`" for field in step.saves) or NONE,
                step.retry.describe(),
                _rollback_condition(saga, step, group),
            )
        )
    lines += ["", "## Rollback order", ""]
    before_pivot = _before_pivot(saga)
    undo = [(i, s) for i, s, _ in reversed(numbered) if s.name in before_pivot]
    lines += [
        f"{n}. `{step.name}` ({ident}): {_callable(step.compensation)}"
        for n, (ident, step) in enumerate(undo, start=1)
    ] or ["Nothing to undo: no step before the pivot has a compensation."]
    lines += [
        "",
        "Compensations run last step first, each retried by its own policy; the",
        "first one that keeps failing stops the rollback and the run waits for",
        "manual review (see below).",
        "",
        "## Decision matrix",
        "",
        "| step | transient error | business error | outcome unknown "
        "| compensation keeps failing |",
        "|---|---|---|---|---|",
    ]
    for ident, step, _ in numbered:
        lines.append(_row(f"{ident} `{step.name}`", *_decisions(step)))
    lines += ["", *_effects_section(saga, numbered)]
    lines += ["", *rollback_failure_policy(saga)]
    lines += ["", *_tests_section(saga)]
    return "\n".join(lines) + "\n"


RULES = {
    Rule.LOCAL: "local: its writes commit with its journal entry",
    Rule.RESUMABLE: "resumable: no write before the call; recovery repeats it "
    "with the same key or reconciles",
    Rule.RECORD_FIRST: "record first: written `started` before it acts; a crash "
    "leaves its outcome unknown",
}


def _effects_section(saga: Saga, numbered: list[tuple[str, Step, str]]) -> list[str]:
    """Return the table of what each step changes, keeps, and how it reports."""
    leading = {step.name for step in saga.leading_local()}
    lines = [
        "## What each step changes, keeps and reports",
        "",
        "| id | step | commit rule | changes | data persisted | success signal "
        "| failure signal |",
        "|---|---|---|---|---|---|---|",
    ]
    for ident, step, _ in numbered:
        first = step.name in leading
        rule = RULES[step.rule] + (" (in the caller's transaction)" if first else "")
        changes = "; ".join(f"{e.kind}: {e.what}" for e in step.effects)
        lines.append(
            _row(
                ident,
                f"`{step.name}`",
                rule,
                changes or "not declared (`Step.effects`)",
                "; ".join(_persisted(saga, step)),
                _success_signal(step, first=first),
                _failure_signal(step, first=first),
            )
        )
    return lines


def _persisted(saga: Saga, step: Step) -> list[str]:
    kept = [
        f"the journal's `{step.name}` entry: status, attempts, times, last error",
        f"its key `{saga.idempotency_key('<operation_id>', step.name)}`",
    ]
    if step.saves:
        kept.append("state " + ", ".join(f"`{name}`" for name in step.saves))
    kept += [f"{e.what}, by {e.found_by}" for e in step.effects if e.found_by]
    return kept


def _success_signal(step: Step, *, first: bool) -> str:
    signal = "`completed` in the journal"
    if first:
        signal += " (with the run's first commit)"
    elif step.local or step.record is not None:
        # The signal goes out for what a recording ran: a record, a local action.
        signal += ", `step_completed`"
    events = [e.what for e in step.effects if e.kind == "queue"]
    return "; ".join([signal, *events])


def _failure_signal(step: Step, *, first: bool) -> str:
    if first:
        return "the caller's transaction rolls back (`StepError`): nothing is kept"
    if step.rule is Rule.LOCAL:
        return "`failed` in the journal, `step_failed`"
    signal = "`failed` or `unknown` in the journal, `step_failed`; `attempt_failed`"
    signal += " delays in the timeline"
    if step.reconcile is not None:
        signal += "; `reconciled` answers"
    if step.rule is Rule.RECORD_FIRST:
        signal += "; `started` found by a new owner: outcome unknown"
    return signal


def rollback_failure_policy(saga: Saga) -> list[str]:
    """Return what is retried, what goes to review, and who hears of it."""
    before_pivot = _before_pivot(saga)
    undo = [
        flat.step for flat in reversed(saga.flat()) if flat.step.name in before_pivot
    ]
    exhausted = [
        flat.step.name
        for flat in saga.flat()
        if flat.step.retriable_only and not flat.step.best_effort
    ]
    lines = [
        "## When a rollback fails",
        "",
        "Retried first, each by its own policy:",
        "",
        *(
            f"- the undo of `{step.name}` ({_callable(step.compensation)}): "
            f"{step.compensation_retry.describe()}"
            for step in undo
        ),
    ]
    if saga.on_compensated is not None:
        lines.append(
            f"- the end of the rollback, `on_compensated` "
            f"({_callable(saga.on_compensated)}): {HOOK_RETRY.describe()}"
        )
    review = SagaRun.Reason
    lines += [
        "",
        "Sent to manual review (`needs_review`), the run left where it stopped:",
        "",
        f"- `{review.COMPENSATION_FAILED}`: an undo still fails; the rollback stops"
        " there, since an earlier undo may rely on the later one;",
        f"- `{review.OUTCOME_UNKNOWN}`: nobody can tell whether a step happened;",
        f"- `{review.STEP_EXHAUSTED}`: a retriable-only step keeps failing ("
        + (", ".join(f"`{name}`" for name in exhausted) or "none here: all best effort")
        + ");",
        f"- `{review.CRASH_LOOP}`: its workers kept dying, after "
        f"{takeovers_allowed()} takeovers (`SAGA_MAX_TAKEOVERS`).",
        "",
        "Who hears of it, as the run stops (the receivers connected to the engine's",
        "signals now, and the alert target):",
        "",
    ]
    for signal_name in ("run_needs_review", "compensation_failed", "run_finished"):
        for receiver in _receivers(getattr(signals, signal_name)):
            lines.append(f"- `{signal_name}` → {_callable(receiver, qualified=True)}")
    lines.append(
        "- whoever `SAGA_ALERT_TARGET` names: the error log lines above carry it"
        " as `alert_target` (the readiness list checks that it is set)"
    )
    return lines


def _receivers(signal: Any) -> list[Callable[..., Any]]:
    """Return the live receivers of ``signal``, in the order they were connected."""
    found = []
    for _key, receiver, *_ in signal.receivers:
        if isinstance(receiver, weakref.ReferenceType):
            receiver = receiver()
        if receiver is not None:
            found.append(receiver)
    return found


def _tests_section(saga: Saga) -> list[str]:
    """Return the partial-failure tests of ``saga``, found by their marker."""
    tests = marked_tests(saga.name)
    lines = [
        "## Partial-failure tests",
        "",
        f'Tests marked `@pytest.mark.{MARKER}("{saga.name}", <kind>)`:',
        "",
        "| partial failure | test | what it shows |",
        "|---|---|---|",
    ]
    for kind in FailureKind:
        of_kind = [test for test in tests if test.kind == kind]
        for test in of_kind:
            lines.append(_row(kind.label, f"`{test.node_id}`", test.summary or NONE))
        if not of_kind:
            lines.append(_row(kind.label, "**none**", NONE))
    return lines


def _numbered(saga: Saga) -> list[tuple[str, Step, str]]:
    """Return (id, step, group) with ids 1, 2, 3a, 3b ... in definition order."""
    numbered = []
    for index, item in enumerate(saga.steps, start=1):
        if isinstance(item, Parallel):
            for letter, step in zip(string.ascii_lowercase, item.steps, strict=False):
                numbered.append((f"{index}{letter}", step, item.name))
        else:
            numbered.append((str(index), item, ""))
    return numbered


def _before_pivot(saga: Saga) -> set[str]:
    """Return the names of the steps the engine may compensate by itself."""
    names = [flat.step.name for flat in saga.flat()]
    if saga.pivot is not None:
        names = names[: names.index(saga.pivot)]
    return {name for name in names if saga.step(name).compensation is not None}


def _callable(fn: Callable[..., Any] | None, *, qualified: bool = False) -> str:
    if fn is None:
        return NONE
    name = getattr(fn, "__qualname__", repr(fn))
    if qualified:
        name = f"{getattr(fn, '__module__', '')}.{name}"
    doc = (getattr(fn, "__doc__", None) or "").strip().splitlines()
    return f"`{name}`" + (f": {doc[0]}" if doc else "")


def _names(types: tuple[type[BaseException], ...]) -> str:
    return ", ".join(f"`{t.__name__}`" for t in types) or NONE


def _row(*cells: str) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _rollback_condition(saga: Saga, step: Step, group: str) -> str:
    if step.retriable_only:
        if step.best_effort:
            return "never: a failure is recorded and the run completes"
        return "never: retried forward only"
    if step.compensation is None:
        return "nothing to undo"
    if step.name == saga.pivot:
        return "never automatically: it is the pivot"
    who = "a sibling or a later step" if group else "a later step"
    before = " before the pivot" if saga.pivot else ""
    return f"{who} fails, or the run is cancelled{before}"


def _decisions(step: Step) -> tuple[str, str, str, str]:
    """Return what the engine does on each kind of trouble with ``step``."""
    if step.retriable_only:
        give_up = (
            "record failed, run completes" if step.best_effort else "manual review"
        )
    else:
        give_up = "compensate"
    transient = f"retry ({step.retry.max_attempts} attempts), then {give_up}"
    business = f"no retry: {give_up}"
    stuck = "record unknown, run completes" if step.best_effort else "manual review"
    if step.reconcile is not None:
        unknown = (
            "reconcile: happened → completed; did not → retry (same key); "
            f"cannot tell → {stuck}"
        )
    elif step.idempotent:
        unknown = f"retry with the same key; still unknown at the limit → {stuck}"
    else:
        unknown = stuck
    if step.compensation is None:
        undo = NONE
    else:
        attempts = step.compensation_retry.max_attempts
        undo = f"retry ({attempts} attempts), then manual review"
    return transient, business, unknown, undo
