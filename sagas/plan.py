"""A saga's recovery plan in Markdown, drawn from its definition alone.

Because the plan is computed from the same flags the runner obeys, it cannot
drift from what the engine really does.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from sagas.definition import Parallel, Saga, Step

NONE = "—"


def plan_markdown(saga: Saga) -> str:
    """Return the recovery plan of ``saga``: steps, rollback order, decisions."""
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
        "manual review (an outbox event `saga.needs_review` and an error log).",
        "",
        "## Decision matrix",
        "",
        "| step | transient error | business error | outcome unknown "
        "| compensation keeps failing |",
        "|---|---|---|---|---|",
    ]
    for ident, step, _ in numbered:
        lines.append(_row(f"{ident} `{step.name}`", *_decisions(step)))
    return "\n".join(lines) + "\n"


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


def _callable(fn: Callable[..., Any] | None) -> str:
    if fn is None:
        return NONE
    name = getattr(fn, "__qualname__", repr(fn))
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
