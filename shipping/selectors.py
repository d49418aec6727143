"""Read shipments, and compare ours with the carrier's records."""

from __future__ import annotations

from dataclasses import dataclass, field

from shipping.carrier import shipping_carrier
from shipping.models import Shipment


def shipment_for(*, operation_id: str) -> Shipment | None:
    """Return the shipment of ``operation_id``, if it has one."""
    return Shipment.objects.filter(operation_id=operation_id).first()


def shipment_active(*, operation_id: str) -> bool:
    """Return whether ``operation_id`` has an active shipment."""
    return Shipment.objects.filter(
        operation_id=operation_id, status=Shipment.Status.ACTIVE
    ).exists()


@dataclass(frozen=True)
class ShipmentAudit:
    """One operation's shipment on our side next to the carrier's shipments."""

    operation_id: str
    ours: Shipment | None
    # The carrier's shipments for this operation: {shipment id: cancelled?}.
    carrier: dict[str, bool] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        """Return how our record disagrees with the carrier (empty if it agrees)."""
        active = sorted(id_ for id_, cancelled in self.carrier.items() if not cancelled)
        ours = self.ours
        ours_active = ours is not None and ours.status == Shipment.Status.ACTIVE
        problems = []
        if len(active) > 1:
            problems.append(f"carrier has {len(active)} active shipments: {active}")
        if ours_active and ours.external_id not in active:
            problems.append(f"ours {ours.external_id} is not active at the carrier")
        if not ours_active and active:
            problems.append(f"carrier shipment {active[0]} is active but not ours")
        if ours is not None and ours.external_id not in self.carrier:
            problems.append(f"carrier knows no shipment {ours.external_id}")
        return problems


def shipment_audit() -> list[ShipmentAudit]:
    """Return, per operation, our shipment next to the carrier's shipments."""
    ours = {shipment.operation_id: shipment for shipment in Shipment.objects.all()}
    carrier: dict[str, dict[str, bool]] = {}
    for answer in shipping_carrier().shipments():
        carrier.setdefault(answer.reference, {})[answer.id] = answer.cancelled
    return [
        ShipmentAudit(
            operation_id=operation_id,
            ours=ours.get(operation_id),
            carrier=carrier.get(operation_id, {}),
        )
        for operation_id in sorted(ours.keys() | carrier.keys())
    ]
