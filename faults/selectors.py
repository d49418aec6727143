"""Read fault plans."""

from __future__ import annotations

from faults.models import FaultPlan


def fault_plan_get(*, operation_id: str) -> dict[str, str]:
    """Return the fault plan of ``operation_id`` (``{}`` when it has none)."""
    plan = FaultPlan.objects.filter(operation_id=operation_id).first()
    return dict(plan.plan) if plan else {}
