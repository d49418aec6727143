"""django-q2 tasks of the saga engine."""

from __future__ import annotations

from sagas.services import saga_recover


def recover_sagas() -> int:
    """Resume saga runs whose worker died; scheduled every minute."""
    return saga_recover()
