"""Hold, confirm, release and ship stock; every call is idempotent per operation.

Call these outside a transaction: each one commits its own change before the
``fault_after`` hook runs, as a remote warehouse service would.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from faults.hooks import fault_after, fault_before
from warehouse.exceptions import (
    HoldNotConfirmed,
    HoldNotFound,
    InvalidHold,
    InvalidStockLevel,
    OutOfStock,
)
from warehouse.models import Reservation, StockItem, StockMovement
from warehouse.selectors import HELD, reservations_for, stock_skus_balanced

logger = logging.getLogger(__name__)

Line = tuple[str, int] | Mapping[str, object]


def stock_set(*, sku: str, on_hand: int) -> StockItem:
    """Set the units on hand of ``sku`` and record the difference as a movement.

    Setting the level it already has changes nothing, so seeding is idempotent.
    """
    if on_hand < 0:
        raise InvalidStockLevel(f"{sku}: on_hand cannot be negative.")
    with transaction.atomic():
        StockItem.objects.get_or_create(sku=sku)
        item = StockItem.objects.select_for_update().get(sku=sku)
        delta = on_hand - item.on_hand
        if delta:
            if on_hand < item.reserved:
                raise InvalidStockLevel(
                    f"{sku}: {item.reserved} units are reserved; "
                    f"on_hand cannot drop to {on_hand}."
                )
            item.on_hand = on_hand
            item.save(update_fields=["on_hand", "updated_at"])
            StockMovement.objects.create(
                sku=sku, delta=delta, reason=StockMovement.Reason.ADJUSTMENT
            )
    return item


def stock_hold(
    *, operation_id: str, lines: Iterable[Line], ttl_seconds: int | None = None
) -> list[Reservation]:
    """Hold every line for ``operation_id`` as pending reservations, or none.

    Raise ``OutOfStock`` (listing every short SKU) and hold nothing when one line
    cannot be covered. Holding again for the same operation holds nothing more:
    its reservations are returned as they stand, whatever their status. A repeat
    that adds a SKU the first call did not hold is refused with the
    ``IntegrityError`` of the unique (operation, SKU) constraint.
    """
    wanted = _lines_merge(lines)
    if ttl_seconds is None:
        ttl_seconds = settings.STOCK_HOLD_TTL_SECONDS
    expires_at = timezone.now() + timedelta(seconds=ttl_seconds)
    fault_before("warehouse.hold", operation_id)
    try:
        reservations = _hold(operation_id, wanted, expires_at)
    except IntegrityError:
        # A repeat, or a twin call for the same operation, found its (operation,
        # sku) keys taken; our transaction rolled back, the first call's stands.
        reservations = list(
            Reservation.objects.filter(operation_id=operation_id, sku__in=wanted)
        )
        if len(reservations) < len(wanted):
            raise
    fault_after("warehouse.hold", operation_id)
    return sorted(reservations, key=lambda reservation: reservation.sku)


def stock_confirm(*, operation_id: str) -> list[str]:
    """Turn the operation's pending holds into confirmed ones; return their SKUs.

    Raise ``HoldNotFound`` when the operation holds nothing, or when its holds
    were released (by a compensation or by expiry): their units may be sold to
    someone else by now. Confirming again confirms nothing more (and returns
    no SKU): the answer says what this call confirmed.
    """
    fault_before("warehouse.confirm", operation_id)
    # One conditional UPDATE: an operation's holds are taken, released and
    # expired together, so a pending hold means none of them was released, and
    # a release running at the same time either precedes this or finds them
    # confirmed (it releases only what it finds pending or confirmed, locked).
    confirmed = _confirm_pending(operation_id)
    if not confirmed:
        statuses = set(
            Reservation.objects.filter(operation_id=operation_id).values_list(
                "status", flat=True
            )
        )
        if not statuses or Reservation.Status.RELEASED in statuses:
            raise HoldNotFound(f"Operation {operation_id} holds no stock to confirm.")
    fault_after("warehouse.confirm", operation_id)
    return confirmed


def stock_release(*, operation_id: str) -> list[Reservation]:
    """Give the operation's pending and confirmed units back to stock.

    Releasing what is already released (or never held) does nothing; shipped
    units stay shipped.
    """
    fault_before("warehouse.release", operation_id)
    with transaction.atomic():
        _release([h for h in _lock_reservations(operation_id) if h.status in HELD])
    fault_after("warehouse.release", operation_id)
    return list(reservations_for(operation_id=operation_id))


def stock_ship(*, operation_id: str) -> list[Reservation]:
    """Take the operation's confirmed units out of stock, one movement per SKU.

    Raise ``HoldNotConfirmed`` while a hold is still pending, ``HoldNotFound`` when
    nothing is confirmed or shipped; shipping again does nothing.
    """
    with transaction.atomic():
        holds = _lock_reservations(operation_id)
        statuses = {h.status for h in holds}
        if Reservation.Status.PENDING in statuses:
            raise HoldNotConfirmed(f"Operation {operation_id} has pending holds.")
        if not statuses & {Reservation.Status.CONFIRMED, Reservation.Status.SHIPPED}:
            raise HoldNotFound(f"Operation {operation_id} has nothing to ship.")
        to_ship = [h for h in holds if h.status == Reservation.Status.CONFIRMED]
        _stock_add(
            {hold.sku: -hold.quantity for hold in to_ship},
            fields=("on_hand", "reserved"),
        )
        StockMovement.objects.bulk_create(
            StockMovement(
                sku=hold.sku,
                delta=-hold.quantity,
                reason=StockMovement.Reason.SHIPMENT,
                operation_id=operation_id,
            )
            for hold in to_ship
        )
        _status_set(to_ship, Reservation.Status.SHIPPED)
    return holds


def stock_release_expired(*, now: datetime | None = None) -> int:
    """Release pending holds past their expiry; return how many were released.

    These are the semantic locks of sagas that died: without this sweep their
    units would stay unsellable forever.
    """
    now = now or timezone.now()
    operations = (
        Reservation.objects.filter(
            status=Reservation.Status.PENDING, expires_at__lt=now
        )
        .order_by()
        .values_list("operation_id", flat=True)
        .distinct()
    )
    released = 0
    for operation_id in list(operations):
        with transaction.atomic():
            expired = [
                hold
                for hold in _lock_reservations(operation_id)
                if hold.status == Reservation.Status.PENDING and hold.expires_at < now
            ]
            _release(expired)
        if expired:
            released += len(expired)
            logger.info(
                "Released expired holds",
                extra={"operation_id": operation_id, "reservations": len(expired)},
            )
    return released


def _lines_merge(lines: Iterable[Line]) -> dict[str, int]:
    """Return ``{sku: quantity}`` in SKU order, adding up repeated SKUs."""
    wanted: dict[str, int] = {}
    for line in lines:
        if isinstance(line, Mapping):
            sku, quantity = line.get("sku"), line.get("quantity")
        else:
            sku, quantity = line
        valid_quantity = isinstance(quantity, int) and not isinstance(quantity, bool)
        if not isinstance(sku, str) or not sku or not valid_quantity or quantity < 1:
            raise InvalidHold(f"Invalid line: {line!r}.")
        wanted[sku] = wanted.get(sku, 0) + quantity
    if not wanted:
        raise InvalidHold()
    # SKU order: two holds that share SKUs lock their rows in the same order, so
    # they cannot deadlock.
    return dict(sorted(wanted.items()))


def _hold(
    operation_id: str, wanted: dict[str, int], expires_at: datetime
) -> list[Reservation]:
    with transaction.atomic():
        # Claim the (operation, sku) keys before touching stock: a repeat fails
        # here on the unique constraint, and so does a twin call, after waiting
        # for ours, instead of being told "out of stock" by our own hold.
        created = Reservation.objects.bulk_create(
            Reservation(
                operation_id=operation_id,
                sku=sku,
                quantity=quantity,
                expires_at=expires_at,
            )
            for sku, quantity in wanted.items()
        )
        # The condition and the increment are one statement per SKU: no other
        # writer can slip in between a read and a write.
        held = _stock_add(wanted, fields=("reserved",), only_if_available=True)
        if held < len(wanted):
            # Name the short SKUs. "Available < wanted" would also name a SKU we
            # just held (its row shows our units by now). A row we changed counts
            # our reservation (inserted above) in ``reserved``, as it counts all
            # the held ones; a row we could not change falls short by it.
            balanced = stock_skus_balanced(skus=list(wanted))
            raise OutOfStock(skus=[sku for sku in wanted if sku not in balanced])
    return created


def _stock_add(
    deltas: Mapping[str, int],
    *,
    fields: tuple[str, ...],
    only_if_available: bool = False,
) -> int:
    """Add each SKU's delta to ``fields`` of its stock row; return the rows changed.

    With ``only_if_available``, a row changes only if it has ``delta`` units
    available. One ``executemany`` of a per-SKU UPDATE: psycopg 3 sends it in one
    round trip (pipeline mode) and runs the statements in list order, so the rows
    are locked in SKU order and two callers cannot deadlock. One UPDATE of all
    the SKUs (``WHERE sku IN``) would lock them in whatever order its scan takes.
    """
    if not deltas:
        return 0  # Even an empty executemany is logged and counted as a query.
    quote = connection.ops.quote_name
    column = {f.name: quote(f.column) for f in StockItem._meta.concrete_fields}
    changes = [f"{column[name]} = {column[name]} + %s" for name in fields]
    sql = (
        f"UPDATE {quote(StockItem._meta.db_table)}"
        f" SET {', '.join(changes)}, {column['updated_at']} = %s"
        f" WHERE {column['sku']} = %s"
    )
    if only_if_available:
        sql += f" AND {column['on_hand']} - {column['reserved']} >= %s"
    # Raw SQL skips the field's conversion: store the time as the field would.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = []
    for sku, delta in sorted(deltas.items()):
        row = [*[delta] * len(fields), now, sku]
        params.append([*row, delta] if only_if_available else row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return cursor.rowcount  # Summed over the statements, in both drivers.


def _confirm_pending(operation_id: str) -> list[str]:
    """Confirm the operation's pending holds; return their SKUs, in SKU order.

    One ``UPDATE ... RETURNING`` where the database has it (PostgreSQL; SQLite
    since 3.35, the release that brought ``RETURNING`` to INSERT and UPDATE
    alike); the ORM has no UPDATE that returns rows. Elsewhere, the same UPDATE
    and a read of what it confirmed.
    """
    now = timezone.now()
    if not connection.features.can_return_columns_from_insert:
        pending = Reservation.objects.filter(
            operation_id=operation_id, status=Reservation.Status.PENDING
        )
        skus = sorted(pending.values_list("sku", flat=True))
        pending.update(status=Reservation.Status.CONFIRMED, updated_at=now)
        return skus
    quote = connection.ops.quote_name
    column = {f.name: quote(f.column) for f in Reservation._meta.concrete_fields}
    sql = (
        f"UPDATE {quote(Reservation._meta.db_table)}"
        f" SET {column['status']} = %s, {column['updated_at']} = %s"
        f" WHERE {column['operation_id']} = %s AND {column['status']} = %s"
        f" RETURNING {column['sku']}"
    )
    params = [
        Reservation.Status.CONFIRMED,
        # Raw SQL skips the field's conversion: store the time as the field would.
        connection.ops.adapt_datetimefield_value(now),
        operation_id,
        Reservation.Status.PENDING,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(sku for (sku,) in cursor.fetchall())


def _lock_reservations(operation_id: str) -> list[Reservation]:
    # Lock in SKU order, as holds do, so two callers cannot deadlock.
    return list(
        Reservation.objects.select_for_update()
        .filter(operation_id=operation_id)
        .order_by("sku")
    )


def _release(holds: list[Reservation]) -> None:
    _stock_add({hold.sku: -hold.quantity for hold in holds}, fields=("reserved",))
    _status_set(holds, Reservation.Status.RELEASED)


def _status_set(holds: list[Reservation], status: str) -> None:
    """Move ``holds`` (locked by the caller) to ``status``, in the rows and here."""
    if not holds:
        return
    now = timezone.now()
    Reservation.objects.filter(pk__in=[hold.pk for hold in holds]).update(
        status=status, updated_at=now
    )
    for hold in holds:
        hold.status, hold.updated_at = status, now
