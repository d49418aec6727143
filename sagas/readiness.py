"""The production-readiness checklist: each item checked against the running setup.

The engine checks what it knows (its sagas' definitions, their tests, where
rollback failures are reported); a project adds what only it knows (how its
task runner schedules the sweeper, say) with ``register_readiness`` in
``AppConfig.ready()``::

    register_readiness(
        ReadinessItem(
            area=Area.OPERATIONS,
            item="Fault injection is off",
            reads="FAULT_INJECTION",
            check=lambda: (not settings.FAULT_INJECTION, str(settings.FAULT_INJECTION)),
        )
    )

An item's ``check`` returns ``(passed, found)``; ``passed`` is None when it
cannot be checked from here (a person confirms it). ``saga_plan --check``
exits 1 when any item fails, so it can gate a deploy.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from sagas.definition import Rule, Saga
from sagas.partial_failures import FailureKind, marked_tests, suite_directory

Verdict = tuple[bool | None, str]


class Area(enum.StrEnum):
    """Who makes an item true: the code, or whoever runs it."""

    ENGINEERING = "engineering"
    OPERATIONS = "operations"


@dataclass(frozen=True)
class ReadinessItem:
    """One item of the checklist: what must be true, what it reads, how to check."""

    area: Area
    item: str
    reads: str
    check: Callable[[], Verdict]


@dataclass(frozen=True)
class Result:
    """An item, checked."""

    item: ReadinessItem
    passed: bool | None
    found: str


_registered: list[ReadinessItem] = []


def register_readiness(*items: ReadinessItem) -> None:
    """Add ``items`` to the checklist (registering one again is a no-op)."""
    for item in items:
        if item.item not in {known.item for known in _registered}:
            _registered.append(item)


def readiness_items(sagas: list[Saga]) -> list[ReadinessItem]:
    """Return the checklist: the engine's items for ``sagas``, then the project's."""
    engine = [item for saga in sagas for item in _saga_items(saga)]
    engine += [
        ReadinessItem(
            Area.OPERATIONS,
            "A rollback that fails alerts someone",
            "`SAGA_ALERT_TARGET`",
            _alert_target,
        ),
    ]
    ordered = engine + _registered
    return sorted(ordered, key=lambda item: list(Area).index(item.area))


def readiness_check(items: list[ReadinessItem]) -> list[Result]:
    """Check every item against the running configuration."""
    results = []
    for item in items:
        try:
            passed, found = item.check()
        except Exception as error:  # an item that cannot be read has not passed
            passed, found = False, f"cannot check: {type(error).__name__}: {error}"
        results.append(Result(item, passed, found))
    return results


def readiness_markdown(items: list[ReadinessItem], *, results: bool) -> str:
    """Return the checklist as Markdown, checked now when ``results``."""
    lines = ["## Production readiness", ""]
    if not results:
        lines += [
            "Each item is checked against the running configuration by",
            "`python manage.py saga_plan --check`, which exits 1 when one fails.",
            "",
            "| # | area | item | checked against |",
            "|---|---|---|---|",
        ]
        for number, item in enumerate(items, start=1):
            lines.append(_row(str(number), item.area, item.item, item.reads))
        return "\n".join(lines) + "\n"
    lines += [
        "| # | area | item | checked against | result | found |",
        "|---|---|---|---|---|---|",
    ]
    for number, result in enumerate(readiness_check(items), start=1):
        item = result.item
        mark = {True: "pass", False: "**fail**", None: "confirm by hand"}
        lines.append(
            _row(
                str(number),
                item.area,
                item.item,
                item.reads,
                mark[result.passed],
                result.found,
            )
        )
    return "\n".join(lines) + "\n"


def readiness_failed(items: list[ReadinessItem]) -> list[Result]:
    """Return the items that fail against the running configuration."""
    return [result for result in readiness_check(items) if result.passed is False]


# -- the engine's own items ------------------------------------------------------------


def _saga_items(saga: Saga) -> list[ReadinessItem]:
    return [
        ReadinessItem(
            Area.ENGINEERING,
            f"Every step of `{saga.name}` is settled without a person after a crash",
            "the definition (`Step.rule`)",
            lambda: _settled_alone(saga),
        ),
        ReadinessItem(
            Area.ENGINEERING,
            f"`{saga.name}` has a test for every kind of partial failure",
            "tests marked `partial_failure` in `SAGA_PLAN_TESTS`",
            lambda: _tested(saga),
        ),
    ]


def _settled_alone(saga: Saga) -> Verdict:
    """Record-first steps end in review when a worker dies, unless best effort."""
    asking = [
        flat.step.name
        for flat in saga.flat()
        if flat.step.rule is Rule.RECORD_FIRST and not flat.step.best_effort
    ]
    if asking:
        return False, "a crash sends these to review: " + ", ".join(asking)
    return True, "every step is local, resumable, or best effort"


def _tested(saga: Saga) -> Verdict:
    if suite_directory() is None:
        return None, "no test suite here (SAGA_PLAN_TESTS)"
    kinds = {test.kind for test in marked_tests(saga.name)}
    missing = [kind.label for kind in FailureKind if kind not in kinds]
    if missing:
        return False, "no test for: " + ", ".join(missing)
    return True, f"{len(FailureKind)} kinds covered"


def _alert_target() -> Verdict:
    target = getattr(settings, "SAGA_ALERT_TARGET", "")
    return bool(target), target or "not set"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
