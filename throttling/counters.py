"""Fixed-window counters in the shared cache: atomic across processes and machines.

A rate such as ``5/min`` allows ``limit`` events per window of ``period``
seconds. Each window is one cache key, created with ``add`` and counted with
``incr``, which Redis does atomically (``INCR``): fifty processes counting at
once still count fifty. DRF's own throttles read a list of timestamps and write
it back, so two processes that read it together both get through.

A fixed window can let up to twice the limit through around a window's edge
(the end of one and the start of the next); for a brute-force or a runaway-
client limit that is the right price for one atomic write per request.

When the shared cache cannot be reached, counting goes on in this process's
memory: the limits still hold, per process, instead of failing every request
(a 500) or none (no limit). The outage is logged once when it starts and once
when it ends; during it the cache is asked again every RETRY_SHARED_SECONDS,
so requests do not each wait for its connection timeout.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ALIAS = "default"
KEY_PREFIX = "throttle"
RETRY_SHARED_SECONDS = 5.0
# Per-process caches: counters in them are not shared by other processes.
PER_PROCESS_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

_local = LocMemCache("throttling-fallback", {"MAX_ENTRIES": 100_000})
_shared_down_until = 0.0
_state_lock = threading.Lock()


@dataclass(frozen=True)
class Rate:
    """``limit`` events per ``period`` seconds, written like DRF's ``"5/min"``."""

    limit: int
    period: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Return the rate ``text`` names: ``<limit>/<s|sec|m|min|h|hour|d|day>``."""
        limit, _, unit = text.partition("/")
        return cls(limit=int(limit), period=PERIODS[unit.strip()[:1]])


@dataclass(frozen=True)
class Hit:
    """One event counted in a window: the count so far, and when the window ends."""

    key: str
    count: int
    limit: int
    retry_after: int

    @property
    def allowed(self) -> bool:
        """Return whether this event is within the limit."""
        return self.count <= self.limit


def counter_hit(*, scope: str, ident: str, rate: Rate, now: float | None = None) -> Hit:
    """Count one event of ``ident`` in ``scope``; return the count in this window."""
    now = time.time() if now is None else now
    window = int(now // rate.period)
    key = f"{KEY_PREFIX}:{scope}:{ident}:{window}"
    count = _count(key, delta=1, timeout=rate.period)
    retry_after = max(1, math.ceil((window + 1) * rate.period - now))
    return Hit(key=key, count=count, limit=rate.limit, retry_after=retry_after)


def counter_refund(*, hit: Hit) -> None:
    """Take back the event ``hit`` counted (it turned out not to count)."""
    _count(hit.key, delta=-1, timeout=1)


def cache_is_per_process(alias: str = CACHE_ALIAS) -> bool:
    """Return whether counters in cache ``alias`` stay inside each process."""
    return caches.settings[alias]["BACKEND"] in PER_PROCESS_BACKENDS


def _count(key: str, *, delta: int, timeout: int) -> int:
    """Add ``delta`` to ``key`` in the shared cache, else in this process's memory."""
    global _shared_down_until
    if time.monotonic() >= _shared_down_until:
        try:
            count = _add(caches[CACHE_ALIAS], key, delta=delta, timeout=timeout)
        except (RedisError, OSError) as error:
            with _state_lock:
                if not _shared_down_until:
                    logger.warning(
                        "Throttle counters moved to this process's memory: "
                        "the cache is unreachable (%s: %s)",
                        type(error).__name__,
                        error,
                    )
                _shared_down_until = time.monotonic() + RETRY_SHARED_SECONDS
        else:
            if _shared_down_until:
                with _state_lock:
                    _shared_down_until = 0.0
                logger.warning("Throttle counters are back in the shared cache")
            return count
    return _add(_local, key, delta=delta, timeout=timeout)


def _add(cache: BaseCache, key: str, *, delta: int, timeout: int) -> int:
    """Return ``key`` after adding ``delta``; a missing key counts from zero."""
    if delta > 0 and cache.add(key, delta, timeout):
        return delta
    try:
        return cache.incr(key, delta)
    except ValueError:
        # The window expired between add() and incr(): this event opens the next.
        if delta > 0:
            cache.add(key, delta, timeout)
        return max(delta, 0)


def counters_reset() -> None:
    """Forget the fallback counters and any outage (for tests)."""
    global _shared_down_until
    _local.clear()
    _shared_down_until = 0.0
