"""The partial failures every saga must be tested against, and the tests that do.

A recovery plan cites real tests, not a list kept by hand: each test carries
the marker ``@pytest.mark.partial_failure("<saga>", "<kind>")`` and the plan
finds them by reading the test suite named by ``SAGA_PLAN_TESTS`` (a
directory). The files are parsed, never imported or run, so printing a plan
costs no test collection and needs no test dependency.
"""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

MARKER = "partial_failure"


class FailureKind(enum.StrEnum):
    """The partial failures a recovery plan must show a test for (seed 001)."""

    AFTER_EACH_STEP = "after_each_step", "a failure after each step"
    CRASH_BEFORE_RECORD = "crash_before_record", "a crash before the result is recorded"
    TIMEOUT = "timeout", "a timeout after the effect happened"
    RETRY_AFTER_PARTIAL_SUCCESS = (
        "retry_after_partial_success",
        "a retry after partial success",
    )
    SAME_OPERATION_TWICE = "same_operation_twice", "two runs of one operation"
    COMPENSATION_FAILS = "compensation_fails", "a compensation that keeps failing"

    def __new__(cls, value: str, label: str) -> FailureKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


@dataclass(frozen=True)
class PlanTest:
    """One marked test: which saga and failure it proves, its pytest id, its claim."""

    saga: str
    kind: str
    node_id: str
    summary: str


def suite_directory() -> Path | None:
    """Return the test suite the plans cite (``SAGA_PLAN_TESTS``), if it is there."""
    configured = getattr(settings, "SAGA_PLAN_TESTS", None)
    if not configured or not Path(configured).is_dir():
        return None
    return Path(configured)


def marked_tests(saga: str) -> list[PlanTest]:
    """Return the tests of the suite marked as partial-failure tests of ``saga``."""
    root = suite_directory()
    if root is None:
        return []
    found = []
    for path in sorted(root.rglob("test_*.py")):
        module = path.relative_to(root.parent).as_posix()
        for test in _tests_in(ast.parse(path.read_text(), filename=str(path)), module):
            if test.saga == saga:
                found.append(test)
    return found


def _tests_in(tree: ast.Module, module: str) -> list[PlanTest]:
    tests = []
    for node in tree.body:
        functions = [(node, "")]
        if isinstance(node, ast.ClassDef):
            functions = [(item, f"{node.name}::") for item in node.body]
        for function, prefix in functions:
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not function.name.startswith("test"):
                continue
            doc = (ast.get_docstring(function) or "").strip().splitlines()
            for saga, kind in _markers(function):
                node_id = f"{module}::{prefix}{function.name}"
                tests.append(PlanTest(saga, kind, node_id, doc[0] if doc else ""))
    return tests


def _markers(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, str]]:
    """Return the ``(saga, kind)`` of each ``pytest.mark.partial_failure`` on it."""
    found = []
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        if ast.unparse(decorator.func) != f"pytest.mark.{MARKER}":
            continue
        values = [arg.value for arg in decorator.args if isinstance(arg, ast.Constant)]
        if len(values) == 2:
            found.append((str(values[0]), str(values[1])))
    return found
