"""Refuse to serve from several processes when throttle counters are per process."""

from __future__ import annotations

from django.conf import settings

from throttling.counters import CACHE_ALIAS, cache_is_per_process

PER_PROCESS_MESSAGE = (
    "{workers} web worker processes would each count the rate limits on their own "
    "({backend} keeps them inside one process), letting {workers} times the "
    "limits through. Set REDIS_URL so that the throttle counters live in Redis, "
    "or run a single worker (-w 1)."
)


def web_workers_check(*, workers: int) -> None:
    """Raise RuntimeError if ``workers`` processes would each keep their own counts."""
    if workers > 1 and cache_is_per_process(CACHE_ALIAS):
        backend = settings.CACHES[CACHE_ALIAS]["BACKEND"].rsplit(".", 1)[-1]
        raise RuntimeError(PER_PROCESS_MESSAGE.format(workers=workers, backend=backend))
