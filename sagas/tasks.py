"""The engine's task: run it every minute with any task runner (or the command).

``python manage.py saga_recover`` does the same from cron.
"""

from __future__ import annotations

from sagas.services import saga_recover


def recover_sagas() -> int:
    """Resume saga runs whose worker died; scheduled every minute."""
    return saga_recover()
