"""The service as real processes: checkouts over HTTP while workers die, then the proof.

gunicorn serves the API and qcluster workers run the sagas (CHECKOUT_EXECUTION
= worker). Checkouts carry injected faults, ``crash`` among them (the worker is
SIGKILLed right after an external effect), and in the middle of the flow a
whole worker cluster is SIGKILLed while one of its workers is running a saga,
then replaced. The sweeper (``manage.py saga_recover``, as its schedule would
run it) resumes what the dead left behind. Then: every order ended (or waits
for review) as its faults predict, ``manage.py audit`` passes, nothing was
charged or shipped twice, every outbox message reached the webhook receiver and
was handled once, and /metrics adds up the counters of every process.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from faults.models import FaultPlan
from orders.models import Order
from outbox.models import OutboxMessage
from payments.simulator.models import ProcessorCharge
from sagas.models import ACTIVE_STATUSES, SagaRun
from shipping.simulator.models import CarrierShipment
from tests.observability.scrapes import Scrape
from tests.system.conftest import Shop
from tests.system.flow import (
    REFUSED,
    REVIEW,
    Checkout,
    deliver_outbox,
    drive,
    kill_mid_saga,
    plan_checkouts,
    replay,
    settle_runs,
)
from tests.system.harness import (
    Processes,
    WebhookReceiver,
    child_env,
    database_url,
    free_port,
    http_request,
    responds,
    wait_until,
)

# Short leases, so the sweeper may take over a dead worker's run (or a dead
# relay's batch) within seconds instead of the production half minute.
LEASE_SECONDS = 10
REPLAYS = 5


@dataclass(frozen=True)
class Flavour:
    """How the service is deployed for one run of the flow."""

    checkouts: int
    web_workers: int
    clusters: int
    q_workers: int
    redis_url: str = ""


@dataclass
class Figures:
    """What the flow measured, printed for the record (pytest -s shows it)."""

    seconds: dict[str, float] = field(default_factory=dict)
    killed_mid_saga: set[str] = field(default_factory=set)
    sweeps: int = 0
    relays: int = 0

    def lap(self, name: str, started: float) -> None:
        self.seconds[name] = round(time.monotonic() - started, 1)


# -- The two deployments -------------------------------------------------------------


@pytest.mark.system
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(300, method="signal")
@pytest.mark.django_db(transaction=True)
def test_checkouts_survive_killed_workers_on_postgresql_and_redis(
    shop, receiver, make_processes, redis_server, tmp_path
):
    """gunicorn with two workers and two qclusters on PostgreSQL and Redis: 100+
    checkouts with faults, one cluster SIGKILLed mid-saga and replaced.

    The Redis is the test's own (tests.system.redis_server), never the suite's.
    """
    flavour = Flavour(
        checkouts=105,
        web_workers=2,
        clusters=2,
        q_workers=2,
        redis_url=redis_server.url,
    )
    run_flow(flavour, shop, receiver, make_processes, tmp_path)


@pytest.mark.system
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the embedded default runs on SQLite"
)
@pytest.mark.timeout(300, method="signal")
@pytest.mark.django_db(transaction=True)
def test_checkouts_survive_a_killed_worker_on_the_embedded_default(
    shop, receiver, make_processes, tmp_path
):
    """One web process and one qcluster on SQLite with the ORM broker: 30
    checkouts with faults, the cluster SIGKILLed mid-saga and restarted."""
    flavour = Flavour(checkouts=30, web_workers=1, clusters=1, q_workers=1)
    run_flow(flavour, shop, receiver, make_processes, tmp_path)


# -- The flow ------------------------------------------------------------------------


def run_flow(
    flavour: Flavour,
    shop: Shop,
    receiver: WebhookReceiver,
    make_processes: Callable[[dict[str, str]], Processes],
    tmp_path: Path,
) -> None:
    """Start the service, drive the checkouts, kill a cluster, settle, then prove."""
    figures, started = Figures(), time.monotonic()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = child_env(
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=flavour.redis_url,
        CHECKOUT_EXECUTION="worker",
        FAULT_INJECTION="1",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        Q_WORKERS=str(flavour.q_workers),
        SAGA_LEASE_SECONDS=str(LEASE_SECONDS),
        OUTBOX_CLAIM_SECONDS=str(LEASE_SECONDS),
        CHECKOUT_THROTTLE_RATE="100000/min",
        DEBUG="0",
        SECRET_KEY="system-test-secret-key",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # A request killed with its web worker must not hold its key for long.
        IDEMPOTENCY_LOCK_SECONDS="3",
    )
    processes = make_processes(env)
    base_url = start_service(processes, flavour)
    figures.lap("start", started)

    checkouts = plan_checkouts(shop, flavour.checkouts)

    def kill_a_cluster() -> None:
        figures.killed_mid_saga = kill_mid_saga(processes, "qcluster-1")
        processes.start_manage("qcluster-restarted", "qcluster")

    drive(base_url, checkouts, midway=kill_a_cluster)
    figures.lap("checkouts posted", started)
    replayed = replay(base_url, checkouts[:REPLAYS])

    figures.sweeps = settle_runs(processes)
    figures.lap("runs settled", started)
    figures.relays = deliver_outbox(processes, receiver)
    figures.lap("outbox delivered", started)
    scrape = Scrape(http_request("GET", f"{base_url}/metrics").body.decode())

    assert [c.response.status for c in checkouts] == [
        c.scenario.answer for c in checkouts
    ]
    assert all(r.headers.get("Idempotent-Replayed") == "true" for r in replayed)
    assert figures.killed_mid_saga, "the cluster kill cut off no saga"
    assert_orders_ended_as_planned(checkouts, interrupted=figures.killed_mid_saga)
    assert_audit_passes(processes)
    assert_nothing_charged_or_shipped_twice()
    assert_outbox_handled_once(receiver)
    assert_every_planned_crash_killed_a_worker(
        checkouts, interrupted=figures.killed_mid_saga
    )
    # Each worker of the killed cluster may have died between a commit and its
    # counter increment: that increment is lost with the process, not the fact.
    assert_metrics_add_up(
        scrape, checkouts=len(checkouts), lost_at_most=flavour.q_workers
    )
    figures.lap("total", started)
    print(
        f"{flavour}: {figures};"
        f" webhook duplicates dropped: {receiver.duplicates};"
        f" run outcomes: {Counter(SagaRun.objects.values_list('status', flat=True))}"
    )


def start_service(processes: Processes, flavour: Flavour) -> str:
    """Start gunicorn and the qclusters; return the base URL once it is ready."""
    port = free_port()
    processes.start(
        "gunicorn",
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        str(flavour.web_workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        # No control socket: its default path is shared by every gunicorn.
        "--no-control-socket",
    )
    for number in range(1, flavour.clusters + 1):
        processes.start_manage(f"qcluster-{number}", "qcluster")
    base_url = f"http://127.0.0.1:{port}"
    wait_until(
        lambda: responds(f"{base_url}/readyz"),
        timeout=60,
        message=lambda: "gunicorn is not ready:\n" + processes.log_tail("gunicorn"),
    )
    return base_url


# -- The proof -----------------------------------------------------------------------


def assert_orders_ended_as_planned(
    checkouts: list[Checkout], *, interrupted: set[str]
) -> None:
    """Every order is shipped, cancelled or refunded, or its run awaits review,
    as its scenario predicts.

    A run the cluster kill cut off in the middle of a step may also await
    review with its outcome unknown: when the repeated step keeps failing, nobody
    can tell whether the cut-off attempt had its effect. A planned ``crash``
    strikes right after an effect, so those runs always know.
    """
    surprises = []
    for checkout in checkouts:
        if checkout.scenario.ends == REFUSED:
            assert checkout.response.json()["code"] == "checkout_unavailable"
            continue
        order = Order.objects.get(pk=checkout.response.json()["id"])
        run = SagaRun.objects.get(operation_id=order.operation_id)
        ending = REVIEW if run.status == SagaRun.Status.NEEDS_REVIEW else order.state
        cut_off_unknown = (
            order.operation_id in interrupted
            and run.error_code == SagaRun.Reason.OUTCOME_UNKNOWN
        )
        if ending != checkout.scenario.ends and not cut_off_unknown:
            steps = {row.name: row.status for row in run.step_rows}
            surprises.append(
                (checkout.scenario.name, ending, run.error_code, run.error, steps)
            )
    assert surprises == []
    assert not SagaRun.objects.filter(status__in=ACTIVE_STATUSES).exists()


def assert_every_planned_crash_killed_a_worker(
    checkouts: list[Checkout], *, interrupted: set[str]
) -> None:
    """Each ``crash`` fault fired once: a process died right after that effect.

    The cluster kill may beat a planned crash to it: killed between the effect
    and its fault hook, the run resumes, reconciles the effect it finds done
    and never reaches the hook again. Only such an interrupted run may keep
    its crash unfired; no crash ever fires twice or unplanned.
    """
    planned = {
        (operation_id(c), point)
        for c in checkouts
        if c.scenario.ends != REFUSED
        for point, mode in c.scenario.faults.items()
        if mode == "crash"
    }
    fired = {
        (plan.operation_id, point)
        for plan in FaultPlan.objects.all()
        for point, count in plan.counters.items()
        if plan.plan.get(point) == "crash" and count == 1
    }
    assert len({point for _, point in planned}) >= 5
    assert fired <= planned
    assert {op for op, _ in planned - fired} <= interrupted


def operation_id(checkout: Checkout) -> str:
    """Return the operation id of the order a checkout created."""
    return Order.objects.get(pk=checkout.response.json()["id"]).operation_id


def assert_audit_passes(processes: Processes) -> None:
    """``manage.py audit`` finds money, stock, shipments and histories consistent."""
    result = processes.manage("audit")
    assert result.returncode == 0, result.stdout


def assert_nothing_charged_or_shipped_twice() -> None:
    """One successful charge and one carrier shipment per operation at most."""
    charges = Counter(
        ProcessorCharge.objects.filter(
            status=ProcessorCharge.Status.SUCCEEDED
        ).values_list("reference", flat=True)
    )
    shipments = Counter(CarrierShipment.objects.values_list("reference", flat=True))
    assert charges and shipments
    assert [ref for ref, n in charges.items() if n > 1] == []
    assert [ref for ref, n in shipments.items() if n > 1] == []


def assert_outbox_handled_once(receiver: WebhookReceiver) -> None:
    """Every message was delivered, verified, and handled once by its id."""
    ids = {str(i) for i in OutboxMessage.objects.values_list("message_id", flat=True)}
    assert ids
    assert not OutboxMessage.objects.exclude(
        status=OutboxMessage.Status.DELIVERED
    ).exists()
    assert receiver.handled_ids() == ids
    assert receiver.rejected == []


def assert_metrics_add_up(scrape: Scrape, *, checkouts: int, lost_at_most: int) -> None:
    """/metrics, served by one gunicorn worker, counts what every process did.

    Counters live in each process's files; a process SIGKILLed right after a
    commit takes that one increment with it. The database gauges are exact.
    """
    # A checkout sent again after its web worker died counts as new once more.
    assert scrape.value("idempotency_requests_total", outcome="new") >= checkouts
    assert scrape.value("idempotency_requests_total", outcome="replay") == REPLAYS
    for status in (
        SagaRun.Status.COMPLETED,
        SagaRun.Status.COMPENSATED,
        SagaRun.Status.NEEDS_REVIEW,
    ):
        in_database = SagaRun.objects.filter(saga="checkout", status=status).count()
        assert scrape.value("saga_runs", saga="checkout", status=status) == in_database
        finished = scrape.value(
            "saga_runs_finished_total", saga="checkout", outcome=status
        )
        assert in_database - lost_at_most <= finished <= in_database, status
    assert scrape.total("saga_step_retries_total") > 0
    assert scrape.total("saga_compensations_total", outcome="completed") > 0
    assert scrape.total("saga_compensations_total", outcome="failed") > 0
    assert scrape.value("outbox_backlog_messages") == 0
    assert (
        scrape.total("outbox_webhook_deliveries_total", outcome="delivered")
        >= OutboxMessage.objects.count() - lost_at_most
    )
