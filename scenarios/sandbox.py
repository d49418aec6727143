"""A throwaway database for one scenario: a temporary SQLite file, migrated afresh.

``saga_demo`` never touches the user's database. It starts itself again in a
child process whose environment points ``DATABASE_URL`` at a file in a new
temporary directory and sets what the scenarios need (fault injection on,
the checkout run in the request, SMS and push into the simulated provider's
table, a short saga lease so a dead worker's run is taken over in seconds).
Settings are read from the environment in one place (``config.settings``):
the child is configured the way the service always is, by its environment.
The directory is removed when the child exits.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

MANAGE = Path(settings.BASE_DIR) / "manage.py"
DATABASE_FILE = "demo.sqlite3"
# Two seconds: long enough for a step, short enough to watch a takeover.
LEASE_SECONDS = "2"

SANDBOX_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "FAULT_INJECTION": "1",
    "CHECKOUT_EXECUTION": "inline",
    "SMS_BACKEND": "notifications.backends.SimulatedProviderBackend",
    "PUSH_BACKEND": "notifications.backends.SimulatedProviderBackend",
    # Email is kept in memory: the console backend would print into the timeline.
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "SAGA_LEASE_SECONDS": LEASE_SECONDS,
    # WhiteNoise notes that collectstatic never ran: no page is served here.
    "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    "PYTHONUNBUFFERED": "1",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def sandbox_run(arguments: list[str], *, environment: dict[str, str]) -> int:
    """Run ``saga_demo arguments`` on a throwaway database; return its exit code.

    ``environment`` adds the settings one scenario needs. The child inherits
    this terminal, so it decides about colour itself.
    """
    with tempfile.TemporaryDirectory(prefix="saga-demo-") as directory:
        database = Path(directory) / DATABASE_FILE
        environment = {
            # Built from nothing: no DATABASE_URL, REDIS_URL or other setting
            # of the user's leaks into the scenario.
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            **SANDBOX_ENVIRONMENT,
            **environment,
            "DATABASE_URL": f"sqlite:///{database}",
        }
        argv = [sys.executable, str(MANAGE), "saga_demo", *arguments]
        completed = subprocess.run(
            [*argv, "--sandbox", directory],
            cwd=settings.BASE_DIR,
            env=environment,
            check=False,
        )
        return completed.returncode


def sandbox_check(directory: str) -> None:
    """Refuse to go on unless the database is the sandbox's own file.

    A scenario writes freely: it must never run on anybody's real data.
    """
    database = settings.DATABASES["default"]
    expected = Path(directory) / DATABASE_FILE
    is_sqlite = database["ENGINE"] == "django.db.backends.sqlite3"
    if not is_sqlite or Path(str(database["NAME"])) != expected:
        raise RuntimeError(
            f"saga_demo runs on its own database ({expected}), "
            f"not on {database['NAME']}."
        )


def sandbox_prepare() -> None:
    """Create the sandbox's tables (the scenarios add their own data).

    Logging is switched off: the timeline says what happens, and the service's
    JSON log lines would only repeat it, interleaved.
    """
    logging.disable(logging.CRITICAL)
    call_command("migrate", verbosity=0, interactive=False)
