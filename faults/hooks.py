"""The hooks the external services call around each effect to inject faults.

A service calls ``fault_before(point, operation_id)`` just before it does the
effect and ``fault_after(point, operation_id)`` once the effect is done. With
``FAULT_INJECTION`` off both return at once, without a query; on, each reads
the operation's plan (one query), plus one conditional UPDATE when a counted
fault (transient, timeout, crash) fires.

A local step's effect runs inside the transaction that records the step (see
``sagas.definition``), and a fault there rolls that transaction back. Its
count must not roll back with it, or the fault would fire again on every
retry: inside a transaction a firing is counted in this process's memory, and
a crash commits its count just before the process dies (the database would
roll the transaction back anyway).
"""

from __future__ import annotations

import logging
import os
import signal
import time

from django.conf import settings
from django.db import connection
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
    if mode.kind == CRASH and connection.in_atomic_block:
        _crash_inside_transaction(plan, point, times=mode.times)
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


# Per (operation, point): the count this process last brought its plan to. A
# transaction that rolled back took its increment with it; this keeps it.
_fired_here: dict[tuple[int, str], int] = {}


def _fire(plan: FaultPlan, point: str, *, times: int) -> bool:
    """Count one firing of ``point`` unless it already fired ``times`` times.

    A compare-and-set on ``version``: of two processes counting at once, one
    updates the row and the other re-reads it, so the count is exact across
    processes without holding a lock. The count this process reached is also
    kept in memory: when the fault rolls its transaction back, the row forgets
    the increment, and this process does not.
    """
    return _fire_durably(plan, point, times=times)


def fired_forget(*, operation_id: str) -> None:
    """Forget what this process counted for ``operation_id`` (its plan was reset)."""
    for key in [key for key in _fired_here if key[0] == operation_id]:
        del _fired_here[key]


def _crash_inside_transaction(plan: FaultPlan, point: str, *, times: int) -> None:
    """Die before the transaction commits, its firing counted for good.

    The transaction is rolled back first, as the database does when a process
    dies, so that the count can commit on its own; the kill follows at once,
    before anything could notice that Django's transaction is gone. (A plan
    written in that same transaction rolls back with it: nothing is left to
    count, and a retry starts afresh.)
    """
    if _count(plan, point) >= times:
        return
    raw = connection.connection
    raw.rollback()
    if not _fire_durably(plan, point, times=times):
        # The plan was written in the transaction just rolled back (a checkout
        # stores its plan with its order): store it again, with this firing.
        FaultPlan.objects.create(
            operation_id=plan.operation_id,
            plan=plan.plan,
            counters={**plan.counters, point: _count(plan, point) + 1},
        )
    if not connection.get_autocommit():
        raw.commit()
    logger.warning(
        "Injected crash: killing this process",
        extra={"point": point, "operation_id": plan.operation_id},
    )
    os.kill(os.getpid(), signal.SIGKILL)


def _count(plan: FaultPlan, point: str) -> int:
    return max(
        plan.counters.get(point, 0), _fired_here.get((plan.operation_id, point), 0)
    )


def _fire_durably(plan: FaultPlan, point: str, *, times: int) -> bool:
    while True:
        fired = _count(plan, point)
        if fired >= times:
            return False
        counters = {**plan.counters, point: fired + 1}
        won = FaultPlan.objects.filter(pk=plan.pk, version=plan.version).update(
            counters=counters, version=F("version") + 1, updated_at=timezone.now()
        )
        if won:
            _fired_here[(plan.operation_id, point)] = fired + 1
            return True
        plan = FaultPlan.objects.filter(pk=plan.pk).first()
        if plan is None:
            return False
