"""The engine's settings, with their defaults in one place.

Read when used, never at import: a test or a deployment may change them.

- ``SAGA_LEASE_SECONDS`` (30): how long a worker owns a run before the
  sweeper may take it over;
- ``SAGA_MAX_TAKEOVERS`` (5): takeovers a run survives; one more sends it
  to review;
- ``SAGA_PARALLEL_EXECUTOR`` (``"inline"``): where group members run,
  ``"inline"`` or on a kept ``"pool"`` of threads.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "SAGA_LEASE_SECONDS": 30,
    "SAGA_MAX_TAKEOVERS": 5,
    "SAGA_PARALLEL_EXECUTOR": "inline",
}


def saga_setting(name: str) -> Any:
    """Return the setting ``name``: the project's value, or the engine's default."""
    return getattr(settings, name, DEFAULTS[name])
