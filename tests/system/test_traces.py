"""Traces across real processes: a request, its worker, a sweeper, one story.

gunicorn and a qcluster export their spans over OTLP to a collector the test
runs (``tests.system.otlp``). A checkout in worker mode is one trace from the
web request through the broker to the worker's saga steps. A checkout whose
worker dies mid-saga is resumed by the sweeper (``manage.py saga_recover``)
in a trace of its own that links to the trace that recorded the run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from django.db import connection

from orders.models import Order
from tests.system.conftest import Shop
from tests.system.flow import ADDRESS
from tests.system.harness import (
    Processes,
    child_env,
    database_url,
    free_port,
    http_request,
    responds,
    wait_until,
)
from tests.system.otlp import OtlpCollector

LEASE_SECONDS = 2
SERVER = 2  # SpanKind SERVER in OTLP's enumeration
TASK = "task orders.tasks.checkout_resume"


@pytest.fixture
def collector() -> Iterator[OtlpCollector]:
    server = OtlpCollector().start()
    yield server
    server.stop()


def start(processes: Processes) -> str:
    port = free_port()
    processes.start(
        "gunicorn",
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
    )
    processes.start_manage("qcluster", "qcluster")
    base_url = f"http://127.0.0.1:{port}"
    wait_until(
        lambda: responds(f"{base_url}/readyz"),
        timeout=60,
        message=lambda: processes.log_tail("gunicorn"),
    )
    return base_url


def post(base_url: str, shop: Shop, key: str, faults: dict | None = None):
    body = {
        "lines": [{"sku": shop.skus[0], "quantity": 1}],
        "payment_token": "tok_visa",
        "shipping_address": ADDRESS,
        **({"faults": faults} if faults else {}),
    }
    return http_request(
        "POST",
        f"{base_url}/api/orders/",
        body=body,
        headers={"Authorization": f"Token {shop.tokens[0]}", "Idempotency-Key": key},
    )


@pytest.mark.system
@pytest.mark.timeout(180, method="signal")
@pytest.mark.django_db(transaction=True)
def test_web_worker_and_sweeper_spans_tell_one_story(shop, make_processes, collector):
    env = child_env(
        DATABASE_URL=database_url(connection.settings_dict),
        CHECKOUT_EXECUTION="worker",
        FAULT_INJECTION="1",
        Q_WORKERS="1",
        SAGA_LEASE_SECONDS=str(LEASE_SECONDS),
        SECRET_KEY="system-test-secret-key",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        OTEL_TRACES_EXPORTER="otlp",
        OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
        OTEL_SERVICE_NAME="orders-under-test",
        # The SDK's own variable: export within moments, not every 5 s.
        OTEL_BSP_SCHEDULE_DELAY="100",
    )
    processes = make_processes(env)
    base_url = start(processes)

    # -- worker mode: one trace from the request to the worker's steps ----------
    answer = post(base_url, shop, "traced-1")
    assert answer.status == 202, answer.body
    wait_until(
        lambda: Order.objects.filter(state="shipped").exists(),
        timeout=60,
        message=lambda: processes.log_tail("qcluster"),
    )
    wait_until(
        lambda: collector.named(TASK) and collector.named("saga.run checkout"),
        timeout=30,
        message="the worker's spans did not arrive",
    )
    (request,) = [
        s
        for s in collector.named("POST api/orders/")
        if s.attributes.get("request.id") == answer.headers["X-Request-ID"]
    ]
    (task,) = collector.named(TASK)
    (run,) = collector.named("saga.run checkout")
    assert request.kind == SERVER and request.parent_id == ""
    assert (task.trace_id, task.parent_id) == (request.trace_id, request.span_id)
    assert (run.trace_id, run.parent_id) == (task.trace_id, task.span_id)
    assert answer.headers["X-Request-ID"] == request.trace_id
    assert {s.service for s in collector.spans} == {"orders-under-test"}

    # -- a worker dies mid-saga; the sweeper resumes the run in a new trace ----------
    crashed = post(base_url, shop, "traced-2", faults={"payments.charge": "crash"})
    assert crashed.status == 202, crashed.body
    recorded = wait_until(
        lambda: [
            s
            for s in collector.named("saga.start checkout")
            if s.trace_id == crashed.headers["X-Request-ID"]
        ],
        timeout=30,
        message="the second request's spans did not arrive",
    )[0]
    order = Order.objects.get(state="created")
    wait_until(
        lambda: (
            processes.manage("saga_recover").returncode == 0
            and Order.objects.get(pk=order.pk).state == "shipped"
        ),
        timeout=60,
        interval=LEASE_SECONDS,
        message=lambda: processes.log_tail("qcluster"),
    )
    resumed = wait_until(
        lambda: [
            s
            for s in collector.named("saga.run checkout")
            if s.attributes.get("saga.takeovers", 0) > 0
        ],
        timeout=30,
        message="the sweeper's run span did not arrive",
    )[-1]
    assert resumed.trace_id != recorded.trace_id
    assert (recorded.trace_id, recorded.span_id) in resumed.links
