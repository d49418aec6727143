"""Suite-wide fixtures and the rules that skip tests needing absent services."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.db import connection

from throttling.counters import counters_reset


def on_postgresql() -> bool:
    """Return whether the suite runs against PostgreSQL."""
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def no_shortage_remembered():
    """Each test starts with no SKU remembered short (warehouse.shortage)."""
    from warehouse import shortage

    shortage._seen_short.clear()
    yield
    shortage._seen_short.clear()


@pytest.fixture(scope="session", autouse=True)
def saga_member_pool_closed(django_db_setup):
    """After the last test, before the test database is dropped: the kept
    pool's threads close their connections, which would keep it in use."""
    yield
    from sagas.runner.members import members_pool_shutdown

    members_pool_shutdown()


@pytest.fixture
def throttle_window_held(monkeypatch):
    """Throttle counters see one instant, at the start of a window.

    Counters are fixed windows: a test that counts 60 requests with the real
    clock can cross a window's edge and see its count start again.
    """
    import time
    from types import SimpleNamespace

    from throttling import counters

    instant = 86_400 * 20_834 + 1.5  # just after a day, an hour, a minute began
    monkeypatch.setattr(
        counters,
        "time",
        SimpleNamespace(time=lambda: instant, monotonic=time.monotonic),
    )


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``postgres`` or ``redis`` when that service is not in use."""
    skip_pg = pytest.mark.skip(reason="needs DATABASE_URL pointing at PostgreSQL")
    skip_redis = pytest.mark.skip(reason="needs REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and not on_postgresql():
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Give every test a cache of its own, so throttle counts never carry over.

    Nor do they reach a Redis that other suites use; tests of the shared cache
    configure one themselves.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }
    counters_reset()
