"""docs/recovery-plan.md is the output of saga_plan, and a stale copy fails here."""

from __future__ import annotations

import subprocess
import sys

from tests.scenarios.runs import BASE_DIR

PLAN = BASE_DIR / "docs" / "recovery-plan.md"
COMMAND = ["manage.py", "saga_plan", "--no-results"]


def test_the_recovery_plan_in_the_docs_is_what_saga_plan_prints_now():
    """Regenerate: python manage.py saga_plan --no-results > docs/recovery-plan.md"""
    # A process of its own: the suite's toy sagas must not be in the plan.
    printed = subprocess.run(
        [sys.executable, *COMMAND],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout

    assert PLAN.read_text() == printed, (
        "docs/recovery-plan.md is stale: run "
        "python manage.py saga_plan --no-results > docs/recovery-plan.md"
    )
