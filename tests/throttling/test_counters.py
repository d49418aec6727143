"""Window counters: atomic in the shared cache, in memory while it is down."""

from __future__ import annotations

import logging
import threading

import pytest
from django.conf import settings as django_settings

from throttling.counters import (
    Rate,
    cache_is_per_process,
    counter_hit,
    counter_refund,
)

DEAD_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, connections refused


@pytest.fixture
def redis_down(settings):
    """The default cache is a Redis that refuses every connection."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }


@pytest.fixture
def shared_redis(settings):
    """The suite's Redis as the default cache, under a prefix of this test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": django_settings.REDIS_URL,
            "KEY_PREFIX": f"throttle-test-{threading.get_ident()}-{id(settings)}",
        }
    }


@pytest.mark.parametrize(
    ("text", "rate"),
    [("5/min", Rate(5, 60)), ("60/m", Rate(60, 60)), ("1/s", Rate(1, 1))],
)
def test_rates_are_written_like_drfs(text, rate):
    assert Rate.parse(text) == rate


def test_a_window_allows_its_limit_then_says_when_it_ends():
    """The third hit of 2/min at 45 s into a window is refused for 15 s more."""
    rate = Rate(limit=2, period=60)
    hits = [counter_hit(scope="s", ident="i", rate=rate, now=6045.0) for _ in range(3)]

    assert [hit.count for hit in hits] == [1, 2, 3]
    assert [hit.allowed for hit in hits] == [True, True, False]
    assert hits[-1].retry_after == 15


def test_the_next_window_counts_from_zero():
    rate = Rate(limit=1, period=60)
    counter_hit(scope="s", ident="i", rate=rate, now=6000.0)

    assert counter_hit(scope="s", ident="i", rate=rate, now=6060.0).count == 1


def test_a_refund_takes_one_event_back():
    rate = Rate(limit=1, period=60)
    first = counter_hit(scope="s", ident="i", rate=rate, now=6000.0)
    counter_refund(hit=first)

    assert counter_hit(scope="s", ident="i", rate=rate, now=6001.0).allowed


def test_scopes_and_idents_count_apart():
    rate = Rate(limit=1, period=60)
    counter_hit(scope="a", ident="i", rate=rate, now=6000.0)

    assert counter_hit(scope="b", ident="i", rate=rate, now=6000.0).allowed
    assert counter_hit(scope="a", ident="j", rate=rate, now=6000.0).allowed


def count_in_parallel(threads: int) -> list[int]:
    """Hit one counter from ``threads`` threads released together."""
    barrier = threading.Barrier(threads)
    counts: list[int] = []
    lock = threading.Lock()

    def hit() -> None:
        barrier.wait(timeout=10)
        count = counter_hit(scope="s", ident="i", rate=Rate(100, 60), now=6000.0).count
        with lock:
            counts.append(count)

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    return counts


def test_parallel_hits_each_get_their_own_count():
    """50 hits at once count 1 to 50: none lost, none counted twice."""
    assert sorted(count_in_parallel(50)) == list(range(1, 51))


@pytest.mark.redis
def test_parallel_hits_in_redis_each_get_their_own_count(shared_redis):
    """In Redis too, where other processes count in the same keys."""
    assert not cache_is_per_process()
    assert sorted(count_in_parallel(50)) == list(range(1, 51))


def test_with_the_cache_down_counting_goes_on_in_memory(redis_down, caplog):
    """Issue 12, case 5: Redis down is neither a 500 nor the end of the limit;
    the outage is logged once, at WARNING."""
    rate = Rate(limit=2, period=60)
    with caplog.at_level(logging.WARNING, logger="throttling.counters"):
        hits = [counter_hit(scope="s", ident="i", rate=rate) for _ in range(3)]

    assert [hit.allowed for hit in hits] == [True, True, False]
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "unreachable" in caplog.records[0].getMessage()


@pytest.mark.parametrize(
    ("backend", "per_process"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", True),
        ("django.core.cache.backends.dummy.DummyCache", True),
        ("django.core.cache.backends.redis.RedisCache", False),
    ],
)
def test_a_cache_is_per_process_unless_processes_share_it(
    settings, backend, per_process
):
    """gunicorn.conf.py refuses several workers on a per-process cache."""
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": DEAD_REDIS}}

    assert cache_is_per_process() is per_process
