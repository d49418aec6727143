"""System check: prometheus_client's mode must match PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from observability.exposition import multiprocess_mode


@register()
def check_multiprocess_dir(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fail loudly when counters would be written where /metrics does not read."""
    directory = settings.PROMETHEUS_MULTIPROC_DIR
    if bool(directory) != multiprocess_mode():
        return [
            Error(
                "PROMETHEUS_MULTIPROC_DIR is set in settings or in the environment, "
                "not in both.",
                hint="Set it in the environment: prometheus_client reads it there "
                "when it is imported, and settings read it from there too.",
                id="observability.E001",
            )
        ]
    if directory and not (os.path.isdir(directory) and os.access(directory, os.W_OK)):
        return [
            Error(
                f"PROMETHEUS_MULTIPROC_DIR {directory!r} is not a writable directory.",
                hint="Create it (empty) before starting the service.",
                id="observability.E002",
            )
        ]
    return []
