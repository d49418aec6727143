"""What this deployment must get right before it takes orders, checked where it can be.

Registered with the engine's readiness checklist (``saga_plan --check``) in
``OrdersConfig.ready()``: the engine knows its sagas, this module knows the
service around them (fault injection, django-q2, webhooks, throttles,
metrics, schedules).
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError

from orders.schedules import SCHEDULE_NAME as SWEEPER_SCHEDULE
from outbox.checks import q_cluster_check
from outbox.models import WebhookEndpoint
from outbox.schedules import SCHEDULE_NAME as RELAY_SCHEDULE
from sagas.api import Area, ReadinessItem, Verdict, register_readiness
from throttling.counters import CACHE_ALIAS, cache_is_per_process
from warehouse.schedules import SCHEDULE_NAME as EXPIRY_SCHEDULE


def fault_injection_off() -> Verdict:
    """Nobody can break the services on purpose."""
    return not settings.FAULT_INJECTION, f"FAULT_INJECTION = {settings.FAULT_INJECTION}"


def debug_off() -> Verdict:
    """No stack trace reaches a client."""
    return not settings.DEBUG, f"DEBUG = {settings.DEBUG}"


def lease_within_task_timeout() -> Verdict:
    """A hung worker loses its run to the sweeper before django-q2 kills it."""
    lease = float(settings.SAGA_LEASE_SECONDS)
    timeout = settings.Q_CLUSTER.get("timeout")
    passed = bool(timeout) and lease < timeout
    return passed, f"lease {lease:g} s, task timeout {timeout} s"


def broker_settings_safe() -> Verdict:
    """A task is handed out again only once it has timed out, and not forever."""
    problems = [message.id for message in q_cluster_check() if message.is_serious()]
    return not problems, ", ".join(problems) or "retry > timeout, max_attempts set"


def webhook_secrets_set() -> Verdict:
    """Every delivery can be verified by its receiver."""
    try:
        unsigned = WebhookEndpoint.objects.filter(active=True, secret="").count()
        total = WebhookEndpoint.objects.filter(active=True).count()
    except DatabaseError as error:
        return False, f"cannot read the endpoints: {error}"
    return not unsigned, f"{total} active endpoint(s), {unsigned} without a secret"


def throttles_shared() -> Verdict:
    """Every web process counts rate limits in one place."""
    backend = settings.CACHES[CACHE_ALIAS]["BACKEND"].rsplit(".", 1)[-1]
    return not cache_is_per_process(CACHE_ALIAS), backend


def schedules_registered() -> Verdict:
    """Dead workers' runs, undelivered events and dead sagas' holds are swept up."""
    from django_q.models import Schedule  # the app registry must be ready

    wanted = {SWEEPER_SCHEDULE, RELAY_SCHEDULE, EXPIRY_SCHEDULE}
    try:
        found = set(
            Schedule.objects.filter(name__in=wanted).values_list("name", flat=True)
        )
    except DatabaseError as error:
        return False, f"cannot read the schedules: {error}"
    missing = sorted(wanted - found)
    return not missing, "missing: " + ", ".join(missing) if missing else "scheduled"


def metrics_closed() -> Verdict:
    """The business figures at /metrics need a token or a staff session."""
    return not settings.METRICS_PUBLIC, f"METRICS_PUBLIC = {settings.METRICS_PUBLIC}"


ITEMS = (
    ReadinessItem(
        Area.ENGINEERING,
        "Fault injection is off",
        "`FAULT_INJECTION`",
        fault_injection_off,
    ),
    ReadinessItem(
        Area.ENGINEERING,
        "A run's lease is shorter than the worker task timeout",
        "`SAGA_LEASE_SECONDS`, `Q_CLUSTER['timeout']`",
        lease_within_task_timeout,
    ),
    ReadinessItem(
        Area.ENGINEERING,
        "The broker retries a task only after its timeout, a bounded number of times",
        "`Q_CLUSTER` (system checks outbox.E001-E003)",
        broker_settings_safe,
    ),
    ReadinessItem(Area.ENGINEERING, "Debug mode is off", "`DEBUG`", debug_off),
    ReadinessItem(
        Area.OPERATIONS,
        "Every active webhook endpoint signs with a secret",
        "`WebhookEndpoint` rows",
        webhook_secrets_set,
    ),
    ReadinessItem(
        Area.OPERATIONS,
        "Throttles count on a cache every process shares",
        "`CACHES` (`REDIS_URL`)",
        throttles_shared,
    ),
    ReadinessItem(
        Area.OPERATIONS,
        "The saga sweeper, the outbox relay and the expiry of dead holds are scheduled",
        f"django-q2 schedules `{SWEEPER_SCHEDULE}`, `{RELAY_SCHEDULE}`,"
        f" `{EXPIRY_SCHEDULE}`",
        schedules_registered,
    ),
    ReadinessItem(
        Area.OPERATIONS,
        "/metrics is closed to the public",
        "`METRICS_PUBLIC`",
        metrics_closed,
    ),
)


def readiness_register() -> None:
    """Add this deployment's items to the engine's checklist."""
    register_readiness(*ITEMS)
