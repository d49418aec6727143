"""The service as real processes while Redis comes and goes, and a refused start.

Redis here is the test's own server (tests.system.redis_server), stopped and
started again under a running gunicorn and qcluster: the service answers 503
with Retry-After while it is gone, loses no order, and carries on by itself
when it is back. gunicorn refuses to start several workers whose rate limits
would be counted per process.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from orders.models import Order
from tests.system.conftest import Shop
from tests.system.flow import ADDRESS
from tests.system.harness import (
    Processes,
    Response,
    child_env,
    database_url,
    free_port,
    http_request,
    responds,
    wait_until,
)
from tests.system.redis_server import RedisServer

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def service_env(**values: str) -> dict[str, str]:
    """Return the environment of the service's processes in these tests."""
    return child_env(
        DATABASE_URL=database_url(connection.settings_dict),
        DEBUG="0",
        SECRET_KEY="system-test-secret-key",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SAGA_LEASE_SECONDS="5",
        **values,
    )


def start_gunicorn(processes: Processes, *, workers: int) -> str:
    """Start gunicorn (it reads ./gunicorn.conf.py); return its base URL."""
    port = free_port()
    processes.start(
        "gunicorn",
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
    )
    return f"http://127.0.0.1:{port}"


def checkout(base_url: str, shop: Shop, key: str, *, token: int = 0) -> Response:
    return http_request(
        "POST",
        f"{base_url}/api/orders/",
        body={
            "lines": [{"sku": shop.skus[0], "quantity": 1}],
            "payment_token": "tok_visa",
            "shipping_address": ADDRESS,
        },
        headers={
            "Authorization": f"Token {shop.tokens[token]}",
            "Idempotency-Key": key,
        },
    )


def order_state(order_id: str) -> str:
    return Order.objects.get(pk=order_id).state


@pytest.mark.timeout(60, method="signal")
def test_gunicorn_refuses_several_workers_on_a_per_process_cache(make_processes):
    """Issue 12, case 4: without Redis, -w 2 would count every limit twice over;
    gunicorn exits with status 1 and says why, serving nothing."""
    processes = make_processes(service_env())
    start_gunicorn(processes, workers=2)
    gunicorn = processes.started["gunicorn"].popen

    wait_until(lambda: gunicorn.poll() is not None, timeout=30, message="it runs")

    assert gunicorn.returncode == 1
    assert "Set REDIS_URL" in processes.log_tail("gunicorn")


@pytest.mark.timeout(120, method="signal")
def test_the_checkout_limit_holds_across_web_workers(
    shop, make_processes, redis_server
):
    """Two gunicorn workers count in one Redis: 30 parallel (inline) checkouts
    against 20 a day buy 20 and are refused 10 times, whichever worker answers."""
    processes = make_processes(
        service_env(REDIS_URL=redis_server.url, CHECKOUT_THROTTLE_RATE="20/d")
    )
    base_url = start_gunicorn(processes, workers=2)
    wait_until(lambda: responds(f"{base_url}/readyz"), timeout=60)
    # A day's window would restart at midnight (UTC) in the middle of the burst.
    seconds_into_day = time.time() % 86400
    if seconds_into_day > 86400 - 60:
        time.sleep(86400 - seconds_into_day + 1)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = Counter(
            pool.map(lambda n: checkout(base_url, shop, f"limit-{n}").status, range(30))
        )

    assert statuses == {201: 20, 429: 10}
    assert Order.objects.count() == 20


@pytest.mark.timeout(240, method="signal")
def test_the_service_rides_out_a_redis_outage(shop, make_processes, tmp_path):
    """Issue 12, case 5, with real processes and a real Redis taken away:

    1. Redis is not up yet: qcluster waits for it instead of exiting.
    2. Redis starts: the cluster starts by itself, a checkout (worker mode) ships.
    3. Redis stops: /readyz is 503 naming broker and cache; a checkout is 503
       broker_unavailable with Retry-After, and its order waits, committed.
    4. Redis is back: /readyz is 200; the retry with the same key answers 202
       with that same order, which ships: nothing lost, nothing doubled.
    """
    redis = RedisServer(tmp_path)  # not started yet
    processes = make_processes(
        service_env(REDIS_URL=redis.url, CHECKOUT_EXECUTION="worker")
    )
    qcluster = processes.start_manage("qcluster", "qcluster")
    wait_until(
        lambda: "does not answer" in processes.log_tail("qcluster"),
        timeout=30,
        message=lambda: processes.log_tail("qcluster"),
    )
    time.sleep(3)
    assert qcluster.popen.poll() is None, processes.log_tail("qcluster")

    redis.start()
    try:
        base_url = start_gunicorn(processes, workers=2)
        wait_until(lambda: responds(f"{base_url}/readyz"), timeout=60)
        first = checkout(base_url, shop, "before-the-outage")
        assert first.status == 202, first.body
        wait_until(lambda: order_state(first.json()["id"]) == "shipped", timeout=60)

        redis.stop()
        ready = http_request("GET", f"{base_url}/readyz")
        key = f"during-the-outage-{uuid.uuid4().hex[:8]}"
        during = checkout(base_url, shop, key, token=1)
        waiting = list(Order.objects.filter(owner__username="buyer1"))

        assert (ready.status, ready.json()["down"]) == (503, ["broker", "cache"])
        assert ready.headers["Retry-After"] == "5"
        assert during.status == 503, during.body
        assert during.json()["code"] == "broker_unavailable"
        assert during.headers["Retry-After"] == "5"
        assert [order.state for order in waiting] == ["created"]

        redis.start()
        wait_until(lambda: responds(f"{base_url}/readyz"), timeout=30)
        again = checkout(base_url, shop, key, token=1)

        assert again.status == 202, again.body
        assert again.json()["id"] == str(waiting[0].pk)
        wait_until(
            lambda: order_state(again.json()["id"]) == "shipped",
            timeout=90,
            message=lambda: processes.log_tail("qcluster"),
        )
        assert Order.objects.filter(owner__username="buyer1").count() == 1
        assert processes.manage("audit").returncode == 0
    finally:
        redis.stop()
