"""Set and clear the fault plan of an operation."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from faults.exceptions import FaultInjectionDisabled, InvalidFaultPlan
from faults.hooks import fired_forget
from faults.models import FaultPlan
from faults.modes import FAULT_MODES, FAULT_POINTS, mode_parse


def fault_plan_set(*, operation_id: str, plan: dict[str, str]) -> FaultPlan | None:
    """Replace the fault plan of ``operation_id`` and reset its counters.

    Setting the plan the operation already has changes nothing, its counters
    included: a request sent again (after a crash killed the first one) must
    not make its faults fire again. An empty plan removes the operation's plan
    (and returns None). Raise
    ``FaultInjectionDisabled`` when ``FAULT_INJECTION`` is off and
    ``InvalidFaultPlan`` for an unknown point or mode.
    """
    if not settings.FAULT_INJECTION:
        raise FaultInjectionDisabled()
    cleaned = fault_plan_validate(plan=plan)
    if not cleaned:
        fault_plan_clear(operation_id=operation_id)
        return None
    with transaction.atomic():
        existing = (
            FaultPlan.objects.select_for_update()
            .filter(operation_id=operation_id)
            .first()
        )
        if existing is None:
            fired_forget(operation_id=operation_id)
            return FaultPlan.objects.create(operation_id=operation_id, plan=cleaned)
        if existing.plan == cleaned:
            return existing
        fired_forget(operation_id=operation_id)
        existing.plan = cleaned
        existing.counters = {}
        # A new version makes a hook that read the old plan lose its compare-and-set.
        existing.version += 1
        existing.save(update_fields=["plan", "counters", "version", "updated_at"])
        return existing


def fault_plan_clear(*, operation_id: str) -> None:
    """Remove the fault plan of ``operation_id``: its calls stop failing."""
    fired_forget(operation_id=operation_id)
    FaultPlan.objects.filter(operation_id=operation_id).delete()


def fault_plan_validate(*, plan: object) -> dict[str, str]:
    """Return ``plan`` with its modes normalised; raise ``InvalidFaultPlan``."""
    if not isinstance(plan, dict):
        raise InvalidFaultPlan(
            "A fault plan is an object of point: mode.",
            valid_points=list(FAULT_POINTS),
            valid_modes=list(FAULT_MODES),
        )
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for point, mode in plan.items():
        if point not in FAULT_POINTS:
            errors[str(point)] = "unknown fault point"
            continue
        try:
            mode_parse(mode)
        except ValueError as error:
            errors[point] = str(error)
            continue
        cleaned[point] = str(mode).strip()
    if errors:
        raise InvalidFaultPlan(
            "The fault plan names an unknown point or mode: "
            + "; ".join(f"{point}: {error}" for point, error in errors.items()),
            errors=errors,
            valid_points=list(FAULT_POINTS),
            valid_modes=list(FAULT_MODES),
        )
    return cleaned
