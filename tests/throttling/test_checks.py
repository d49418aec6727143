"""gunicorn refuses several workers when the throttle counters are per process."""

from __future__ import annotations

import pytest

from throttling.checks import web_workers_check

REDIS = "django.core.cache.backends.redis.RedisCache"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def use_cache(settings, backend: str) -> None:
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://x:1/0"}}


def test_several_workers_on_a_per_process_cache_are_refused(settings):
    """Issue 12, case 4: the message says why and what to do."""
    use_cache(settings, LOCMEM)

    with pytest.raises(RuntimeError, match="Set REDIS_URL") as refused:
        web_workers_check(workers=4)

    assert "4 web worker processes" in str(refused.value)
    assert "LocMemCache" in str(refused.value)


def test_one_worker_may_count_in_its_own_memory(settings):
    use_cache(settings, LOCMEM)

    web_workers_check(workers=1)


def test_several_workers_on_redis_are_fine(settings):
    use_cache(settings, REDIS)

    web_workers_check(workers=4)
