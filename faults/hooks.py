"""The hooks the external services call around each effect to inject faults.

A service calls ``fault_before(point, operation_id)`` just before it does the
effect and ``fault_after(point, operation_id)`` once the effect is done (and
committed). With ``FAULT_INJECTION`` off both return at once, without a query;
on, each reads the operation's plan (one query), plus one conditional UPDATE
when a counted fault (transient, timeout, crash) fires.
"""

from __future__ import annotations

import logging
import os
import signal
import time

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from faults.exceptions import InjectedFault, InjectedTimeout
from faults.models import FaultPlan
from faults.modes import (
    CRASH,
    ERROR,
    LATENCY,
    TIMEOUT,
    TRANSIENT,
    FaultMode,
    mode_parse,
)

logger = logging.getLogger(__name__)


def fault_before(point: str, operation_id: str) -> None:
    """Inject the fault planned before the effect: error, transient or latency.

    ``error`` raises ``InjectedFault`` every time, ``transient:N`` the first N
    times, both before anything happened; ``latency:MS`` sleeps, then lets the
    call proceed.
    """
    if not settings.FAULT_INJECTION:
        return
    plan, mode = _planned(point, operation_id)
    if mode is None:
        return
    if mode.kind == ERROR or (
        mode.kind == TRANSIENT and _fire(plan, point, times=mode.times)
    ):
        raise InjectedFault(
            f"Injected {plan.plan[point]} fault at {point} for {operation_id}.",
            point=point,
            mode=plan.plan[point],
        )
    if mode.kind == LATENCY:
        time.sleep(mode.milliseconds / 1000)


def fault_after(point: str, operation_id: str) -> None:
    """Inject the fault planned after the effect: timeout or crash (once each).

    ``timeout`` raises ``InjectedTimeout`` (a ``TimeoutError``): the effect is
    done but the caller never hears about it. ``crash`` kills this process with
    SIGKILL, so nothing after the effect (no ``finally``, no bookkeeping) runs.
    """
    if not settings.FAULT_INJECTION:
        return
    plan, mode = _planned(point, operation_id)
    if mode is None or mode.kind not in (TIMEOUT, CRASH):
        return
    if not _fire(plan, point, times=mode.times):
        return
    if mode.kind == TIMEOUT:
        raise InjectedTimeout(
            f"Injected timeout at {point} for {operation_id}: the effect happened.",
            point=point,
        )
    logger.warning(
        "Injected crash: killing this process",
        extra={"point": point, "operation_id": operation_id, "pid": os.getpid()},
    )
    os.kill(os.getpid(), signal.SIGKILL)


def _planned(
    point: str, operation_id: str
) -> tuple[FaultPlan | None, FaultMode | None]:
    """Return the operation's plan and the mode planned at ``point`` (one query)."""
    plan = FaultPlan.objects.filter(operation_id=operation_id).first()
    if plan is None or point not in plan.plan:
        return plan, None
    return plan, mode_parse(plan.plan[point])


def _fire(plan: FaultPlan, point: str, *, times: int) -> bool:
    """Count one firing of ``point`` unless it already fired ``times`` times.

    A compare-and-set on ``version``: of two processes counting at once, one
    updates the row and the other re-reads it, so the count is exact across
    processes without holding a lock.
    """
    while True:
        fired = plan.counters.get(point, 0)
        if fired >= times:
            return False
        counters = {**plan.counters, point: fired + 1}
        won = FaultPlan.objects.filter(pk=plan.pk, version=plan.version).update(
            counters=counters, version=F("version") + 1, updated_at=timezone.now()
        )
        if won:
            return True
        plan = FaultPlan.objects.filter(pk=plan.pk).first()
        if plan is None:
            return False
