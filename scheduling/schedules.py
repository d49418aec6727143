"""Register a recurring django-q2 schedule from a ``post_migrate`` receiver."""

from __future__ import annotations

from typing import Any

from django.db import connections


def schedule_register(
    *, name: str, func: str, using: str = "default", **timing: Any
) -> None:
    """Create or update the schedule ``name`` that runs ``func`` for ever.

    ``timing`` holds django-q2's fields (``schedule_type``, ``minutes``).
    Idempotent (keyed by name), and an existing schedule keeps its next run
    time. A partial migrate (``migrate sagas`` on an empty database) may run
    before django_q's tables exist: nothing is registered then, and the full
    migrate that follows registers it.
    """
    from django_q.models import Schedule  # the app registry must be ready

    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    Schedule.objects.using(using).update_or_create(
        name=name, defaults={"func": func, "repeats": -1, **timing}
    )
