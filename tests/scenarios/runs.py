"""Run ``manage.py saga_demo`` as a reader would, once per scenario per test session.

Both the scenario tests and the docs drift test need each scenario run; each
runs once and the answer is kept. The command makes its own throwaway
database, so the suite's database setting does not matter to it.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


@functools.cache
def saga_demo(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Return the finished ``manage.py saga_demo`` run with ``arguments``."""
    return subprocess.run(
        [sys.executable, "manage.py", "saga_demo", *arguments],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
    )
