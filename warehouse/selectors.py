"""Read stock levels, reservations and the rows the stock audit compares."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from warehouse.models import Reservation, StockItem, StockMovement

HELD = (Reservation.Status.PENDING, Reservation.Status.CONFIRMED)


def stock_list(*, skus: list[str] | None = None) -> QuerySet[StockItem]:
    """Return stock items annotated with ``available`` and ``pending`` units."""
    items = StockItem.objects.annotate(
        available=F("on_hand") - F("reserved"),
        pending=_reserved_units([Reservation.Status.PENDING]),
    )
    return items if skus is None else items.filter(sku__in=skus)


def reservations_for(*, operation_id: str) -> QuerySet[Reservation]:
    """Return the reservations of ``operation_id`` in SKU order."""
    return Reservation.objects.filter(operation_id=operation_id).order_by("sku")


def reservations_confirmed(*, operation_id: str, skus: list[str]) -> bool:
    """Return whether every SKU in ``skus`` has a confirmed (or since shipped) hold."""
    confirmed = set(
        Reservation.objects.filter(
            operation_id=operation_id,
            sku__in=skus,
            status__in=[Reservation.Status.CONFIRMED, Reservation.Status.SHIPPED],
        ).values_list("sku", flat=True)
    )
    return bool(skus) and confirmed >= set(skus)


def stock_returned(*, operation_id: str) -> bool:
    """Return whether the operation holds no pending or confirmed units any more."""
    return not Reservation.objects.filter(
        operation_id=operation_id, status__in=HELD
    ).exists()


def stock_skus_balanced(*, skus: list[str]) -> set[str]:
    """Return those of ``skus`` whose reserved units equal their held reservations.

    Held means pending or confirmed, as in the audit, which reports the others.
    """
    return set(
        StockItem.objects.filter(
            sku__in=skus, reserved=_reserved_units(HELD)
        ).values_list("sku", flat=True)
    )


@dataclass(frozen=True)
class StockAudit:
    """One SKU's stock next to what its reservations and movements say it must be."""

    sku: str
    on_hand: int
    reserved: int
    held: int
    movements: int

    @property
    def problems(self) -> list[str]:
        """Return what is inconsistent for this SKU (empty when all is well)."""
        problems = []
        if not 0 <= self.reserved <= self.on_hand:
            problems.append(f"reserved {self.reserved} outside 0..{self.on_hand}")
        if self.reserved != self.held:
            problems.append(
                f"reserved {self.reserved} != pending+confirmed holds {self.held}"
            )
        if self.on_hand != self.movements:
            problems.append(f"on_hand {self.on_hand} != movements {self.movements}")
        return problems


def stock_item_audit() -> list[StockAudit]:
    """Return one audit row per SKU: stock, held units and the movements' sum."""
    movements = (
        StockMovement.objects.filter(sku=OuterRef("sku"))
        .order_by()
        .values("sku")
        .annotate(total=Sum("delta"))
        .values("total")
    )
    rows = StockItem.objects.annotate(
        held=_reserved_units(HELD),
        movements=Coalesce(Subquery(movements), 0, output_field=IntegerField()),
    ).values_list("sku", "on_hand", "reserved", "held", "movements")
    return [StockAudit(*row) for row in rows]


def _reserved_units(statuses) -> Coalesce:
    units = (
        Reservation.objects.filter(sku=OuterRef("sku"), status__in=statuses)
        .order_by()
        .values("sku")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(units), 0, output_field=IntegerField())
