"""A task carries its queuer's request id and trace: web and worker, one story.

The checkout is posted in worker mode; the package django-q2 signs for the
broker is taken as it would travel, and run by django-q2's own worker code
in a fresh context (nothing of the request's left current), as a worker
process would. ``tests/system/test_traces.py`` does the same with real
processes.
"""

from __future__ import annotations

import contextvars
from multiprocessing import Queue, Value

import pytest
from django_q.monitor import monitor
from django_q.signing import SignedPackage
from django_q.worker import worker
from opentelemetry.trace import SpanKind

from orders.models import Order
from sagas.models import SagaRun
from tests.observability.console import console_lines
from tests.observability.traces import spans  # noqa: F401  (the fixture)
from tests.orders.api.conftest import checkout_body, token_client
from tests.orders.checkout.conftest import no_waiting  # noqa: F401
from tests.orders.conftest import buyer, catalog  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "orders.tasks.checkout_resume"


class PackageTrap:
    """A broker that keeps each signed package instead of sending it."""

    list_key = "trap"

    def __init__(self) -> None:
        self.packages: list[bytes] = []

    def enqueue(self, package: bytes) -> str:
        self.packages.append(package)
        return str(len(self.packages))

    def tasks(self, func: str) -> list[bytes]:
        return [p for p in self.packages if SignedPackage.loads(p)["func"] == func]


@pytest.fixture
def broker(monkeypatch) -> PackageTrap:
    trap = PackageTrap()
    monkeypatch.setattr("django_q.tasks.get_broker", lambda *args: trap)
    return trap


def run_in_a_worker(package: bytes) -> None:
    """Run one package with django-q2's worker, in a context of its own."""

    def work() -> None:
        tasks, results = Queue(), Queue()
        tasks.put(SignedPackage.loads(package))
        tasks.put("STOP")
        worker(tasks, results, Value("f", -1))
        results.put("STOP")
        monitor(results)

    contextvars.Context().run(work)


@pytest.fixture
def posted(broker, catalog, buyer, settings):  # noqa: F811
    """POST a checkout in worker mode: the request holds the stock and queues."""
    settings.CHECKOUT_EXECUTION = "worker"
    settings.SAGA_PARALLEL_EXECUTOR = "inline"
    settings.OUTBOX_RELAY_ON_COMMIT = False

    def post():
        response = token_client(buyer).post(
            "/api/orders/",
            checkout_body(),
            format="json",
            headers={"Idempotency-Key": "in-a-worker"},
        )
        assert response.status_code == 202, response.content
        return response

    return post


def test_in_worker_mode_web_and_worker_spans_form_one_trace(
    posted,
    broker,
    spans,  # noqa: F811
):
    """The worker's task span is a child of the request span; the run under it."""
    response = posted()
    (package,) = broker.tasks(TASK)
    request = spans.one("POST api/orders/")

    run_in_a_worker(package)

    assert Order.objects.get().state == "shipped"
    task = spans.one(f"task {TASK}")
    run = spans.one("saga.run checkout")
    assert spans.trace_ids() == {request.context.trace_id}
    assert task.kind is SpanKind.CONSUMER
    assert task.parent.span_id == request.context.span_id
    assert spans.parent_of(run) is task
    assert run.links == ()  # the same trace: nothing to link to
    assert response["X-Request-ID"] == f"{request.context.trace_id:032x}"


def test_the_worker_logs_with_the_request_id_of_the_request_that_queued_it(
    posted, broker
):
    """Tracing off: the id still travels with the task, into every log line."""
    response = posted()
    (package,) = broker.tasks(TASK)

    with console_lines() as lines:
        run_in_a_worker(package)

    saga_lines = [line for line in lines if line["name"] == "sagas"]
    assert SagaRun.objects.get().status == "completed"
    assert saga_lines
    assert {line["request_id"] for line in saga_lines} == {response["X-Request-ID"]}
