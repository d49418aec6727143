"""Liveness and readiness probes for process managers and load balancers."""

from __future__ import annotations

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.outages import RETRY_AFTER_SECONDS
from workers.broker import broker_reachable

# Without these the service cannot take orders. The cache only holds throttle
# counts, which move to each process's memory while it is down.
REQUIRED = ("database", "broker")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 while the process can serve requests at all."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database and the broker answer, else 503.

    The body says which dependency is down (``down``), the cache included,
    without the errors themselves: the probe is public.
    """
    checks = {
        "database": database_reachable(),
        "broker": broker_reachable(),
        "cache": cache_reachable(),
    }
    down = [name for name, ok in checks.items() if not ok]
    ready = not set(down) & set(REQUIRED)
    response = JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks, "down": down},
        status=200 if ready else 503,
    )
    if not ready:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_reachable() -> bool:
    """Return whether the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def cache_reachable() -> bool:
    """Return whether the default cache answers a read."""
    try:
        caches["default"].get("readyz")
        return True
    except Exception:
        return False
