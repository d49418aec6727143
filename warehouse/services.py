"""Hold, confirm, release and ship stock; every call is idempotent per operation.

Call these outside a transaction: each one commits its own change before the
``fault_after`` hook runs, as a remote warehouse service would.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from faults.hooks import fault_after, fault_before
from warehouse.exceptions import (
    HoldNotConfirmed,
    HoldNotFound,
    InvalidHold,
    InvalidStockLevel,
    InvalidStockOperation,
    OutOfStock,
    UnknownSku,
)
from warehouse.models import Reservation, StockItem, StockMovement
from warehouse.selectors import (
    HELD,
    reservations_for,
    stock_list,
    stock_skus_balanced,
)
from warehouse.shortage import shortage_forget, shortage_note, shortage_suspects
from warehouse.statements import holds_insert_available, holds_move, stock_add

logger = logging.getLogger(__name__)

Line = tuple[str, int] | Mapping[str, object]
# A count races a hold or a shipment at most this often before it gives up.
ADJUST_ATTEMPTS = 3


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


def stock_register(*, sku: str) -> StockItem:
    """Start keeping stock of ``sku`` (none on hand); a known SKU is left as it is."""
    item, _ = StockItem.objects.get_or_create(sku=sku)
    return item


def stock_receive(
    *, sku: str, quantity: int, reason: str, actor: str, operation_id: str = ""
) -> StockMovement:
    """Add ``quantity`` received units to ``sku`` and record who received them, why.

    One conditional UPDATE adds to whatever is on hand now, so receipts and
    shipments running at the same time all count. With an ``operation_id``
    (an admin form's one-time key) a repeat returns the first receipt and
    receives nothing more. Raise ``UnknownSku`` for a SKU the warehouse has no
    row for, ``InvalidStockOperation`` for no units or no reason.
    """
    reason = reason.strip()
    if quantity < 1 or not reason:
        raise InvalidStockOperation(
            f"{sku}: receive at least one unit, with a reason (got {quantity})."
        )
    with transaction.atomic():
        movement, created = _movement_record(
            sku, quantity, StockMovement.Reason.RECEIPT, actor, reason, operation_id
        )
        if not created:
            return movement
        changed = StockItem.objects.filter(sku=sku).update(
            on_hand=F("on_hand") + quantity, updated_at=timezone.now()
        )
        if not changed:
            raise UnknownSku(f"The warehouse keeps no stock of {sku!r}.")
    return movement


def stock_adjust(
    *, sku: str, counted: int, reason: str, actor: str, operation_id: str = ""
) -> StockMovement | None:
    """Set ``sku``'s units on hand to what was ``counted``; record the difference.

    Return the movement, or None when the count matches the books. Refuse
    (``InvalidStockLevel``) a count below the units reserved: those are sold or
    held, and someone must release them first. The write is a compare-and-set
    (``WHERE on_hand = <what was read>``): if stock moved in between, the
    difference is read again, so the movement always equals the change. An
    ``operation_id`` makes a repeat return the first correction.
    """
    reason = reason.strip()
    if counted < 0 or not reason:
        raise InvalidStockOperation(
            f"{sku}: a count is zero or more units, with a reason (got {counted})."
        )
    done = (
        operation_id
        and StockMovement.objects.filter(
            operation_id=operation_id, reason=StockMovement.Reason.COUNT
        ).first()
    )
    if done:
        return done  # a repeat, after the first correction's commit
    for _ in range(ADJUST_ATTEMPTS):
        with transaction.atomic():
            item = StockItem.objects.filter(sku=sku).first()
            if item is None:
                raise UnknownSku(f"The warehouse keeps no stock of {sku!r}.")
            if counted < item.reserved:
                raise InvalidStockLevel(
                    f"{sku}: {item.reserved} units are reserved; "
                    f"the count cannot be {counted}."
                )
            if counted == item.on_hand:
                return None
            movement, created = _movement_record(
                sku,
                counted - item.on_hand,
                StockMovement.Reason.COUNT,
                actor,
                reason,
                operation_id,
            )
            if not created:
                return movement
            changed = StockItem.objects.filter(
                sku=sku, on_hand=item.on_hand, reserved__lte=counted
            ).update(on_hand=counted, updated_at=timezone.now())
            if changed:
                return movement
            # Stock moved since the read: undo the movement and count again.
            transaction.set_rollback(True)
    raise InvalidStockLevel(f"{sku}: stock kept moving; count again.")


def _movement_record(
    sku: str, delta: int, reason: str, actor: str, note: str, operation_id: str
) -> tuple[StockMovement, bool]:
    """Insert a person's movement, or return the one this operation already made.

    Inserted before the stock row changes: a repeat of the operation meets the
    unique constraint here, and changes nothing.
    """
    try:
        with transaction.atomic():
            movement = StockMovement.objects.create(
                sku=sku,
                delta=delta,
                reason=reason,
                actor=actor,
                note=note,
                operation_id=operation_id,
            )
    except IntegrityError:
        return StockMovement.objects.get(
            operation_id=operation_id, reason=reason
        ), False
    return movement, True


def stock_hold(
    *, operation_id: str, lines: Iterable[Line], ttl_seconds: int | None = None
) -> list[Reservation]:
    """Hold every line for ``operation_id`` as pending reservations, or none.

    Raise ``OutOfStock`` (listing every short SKU) and hold nothing when one line
    cannot be covered. Holding again for the same operation holds nothing more:
    its reservations are returned as they stand, whatever their status. A
    repeat that asks for a SKU the first call did not hold is refused with
    ``InvalidHold``. Inside a caller's transaction the hold joins it (no
    savepoint): a refusal then dooms the whole transaction, as it should.
    """
    wanted = _lines_merge(lines)
    if ttl_seconds is None:
        ttl_seconds = settings.STOCK_HOLD_TTL_SECONDS
    expires_at = timezone.now() + timedelta(seconds=ttl_seconds)
    fault_before("warehouse.hold", operation_id)
    with transaction.atomic(savepoint=False):
        reservations = _hold(operation_id, wanted, expires_at)
    fault_after("warehouse.hold", operation_id)
    return reservations


def stock_refuse_if_short(*, lines: Iterable[Line]) -> None:
    """Raise ``OutOfStock`` at once if a line's SKU, found short a moment ago, still is.

    One read of the suspect SKUs' stock, outside any transaction, and only for
    SKUs this process found short in the last moments (``warehouse.shortage``):
    a flash sale's late buyers are refused without a transaction. Otherwise
    nothing is read, and the hold decides.
    """
    try:
        wanted = _lines_merge(lines)
    except InvalidHold:
        return  # the checkout says what is wrong with its lines, in its words
    suspects = shortage_suspects(wanted)
    if not suspects:
        return
    available = dict(stock_list(skus=suspects).values_list("sku", "available"))
    short = [sku for sku in suspects if available.get(sku, 0) < wanted[sku]]
    if short:
        raise OutOfStock(skus=short)
    shortage_forget(suspects)


def stock_confirm(*, operation_id: str) -> list[str]:
    """Turn the operation's pending holds into confirmed ones; return their SKUs.

    Raise ``HoldNotFound`` when the operation holds nothing, or when its holds
    were released (by a compensation or by expiry): their units may be sold to
    someone else by now. Confirming again confirms nothing more (and returns
    no SKU): the answer says what this call confirmed.
    """
    fault_before("warehouse.confirm", operation_id)
    # One conditional UPDATE: an operation's holds are taken, released and
    # expired together, so a pending hold means none of them was released.
    confirmed = [
        sku
        for sku, _ in holds_move(
            operation_id,
            from_status=Reservation.Status.PENDING,
            to_status=Reservation.Status.CONFIRMED,
        )
    ]
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


def stock_ship(*, operation_id: str) -> list[str]:
    """Take the operation's confirmed units out of stock, one movement per SKU.

    Return the SKUs shipped now. Raise ``HoldNotConfirmed`` while a hold is
    still pending, ``HoldNotFound`` when nothing is confirmed or shipped;
    shipping again does nothing (and returns no SKU). Three statements on the
    usual path: the holds marked shipped (returning their units), the stock
    rows, the movements.
    """
    with transaction.atomic(savepoint=False):
        shipped = holds_move(
            operation_id,
            from_status=Reservation.Status.CONFIRMED,
            to_status=Reservation.Status.SHIPPED,
        )
        if not shipped:
            statuses = set(
                Reservation.objects.filter(operation_id=operation_id).values_list(
                    "status", flat=True
                )
            )
        else:
            _shipped_record(operation_id, shipped)
    if not shipped:
        # Refused here, outside the block: nothing was written, and a caller's
        # transaction must not be doomed for it.
        if Reservation.Status.PENDING in statuses:
            raise HoldNotConfirmed(f"Operation {operation_id} has pending holds.")
        if Reservation.Status.SHIPPED not in statuses:
            raise HoldNotFound(f"Operation {operation_id} has nothing to ship.")
    return [sku for sku, _ in shipped]


def stock_return(*, operation_id: str, lines: Iterable[Line]) -> list[str]:
    """Put returned units back on stock, one ``returned`` movement per SKU.

    ``operation_id`` is the return's. Idempotent: a SKU this return already
    put back is skipped (a unique constraint stands behind the check), and
    the SKUs put back now are returned. Inside a caller's transaction it joins
    it, so a return's units come back with the step that records them.
    """
    wanted = _lines_merge(lines)
    fault_before("warehouse.restock", operation_id)
    with transaction.atomic(savepoint=False):
        done = set(
            StockMovement.objects.filter(
                operation_id=operation_id,
                reason=StockMovement.Reason.RETURNED,
                sku__in=list(wanted),
            ).values_list("sku", flat=True)
        )
        back = {sku: units for sku, units in wanted.items() if sku not in done}
        if back:
            # The rows exist: these units left from them when they shipped.
            stock_add(back, fields=("on_hand",))
            StockMovement.objects.bulk_create(
                StockMovement(
                    sku=sku,
                    delta=units,
                    reason=StockMovement.Reason.RETURNED,
                    operation_id=operation_id,
                )
                for sku, units in back.items()
            )
    fault_after("warehouse.restock", operation_id)
    return list(back)


def _shipped_record(operation_id: str, shipped: list[tuple[str, int]]) -> None:
    """Take shipped units off the stock rows, one movement per SKU."""
    stock_add({sku: -units for sku, units in shipped}, fields=("on_hand", "reserved"))
    StockMovement.objects.bulk_create(
        StockMovement(
            sku=sku,
            delta=-units,
            reason=StockMovement.Reason.SHIPMENT,
            operation_id=operation_id,
        )
        for sku, units in shipped
    )


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
    inserted = holds_insert_available(operation_id, wanted, expires_at)
    held = [sku for _, sku in inserted]
    if len(held) < len(wanted):
        # Some SKU was short, or this operation held before (a repeat).
        existing = list(
            Reservation.objects.filter(operation_id=operation_id).order_by("sku")
        )
        before = {hold.sku for hold in existing} - set(held)
        if not held and before >= set(wanted):
            return existing  # a repeat: what the first call held stands
        if before:
            raise InvalidHold(
                f"Operation {operation_id} already holds other lines: "
                f"{', '.join(sorted(before))}."
            )
        short = [sku for sku in wanted if sku not in held]
        shortage_note(short)
        raise OutOfStock(skus=short)
    # The condition and the increment are one statement per SKU: no other
    # writer can slip in between a read and a write.
    changed = stock_add(
        {sku: wanted[sku] for sku in held}, fields=("reserved",), only_if_available=True
    )
    if changed < len(held):
        # Taken by a concurrent hold since the insert saw them: name the short
        # SKUs. A row we changed counts our hold (inserted above) in
        # ``reserved``, as it counts all the held ones; one we could not
        # change falls short by it.
        balanced = stock_skus_balanced(skus=list(wanted))
        short = [sku for sku in wanted if sku not in balanced]
        shortage_note(short)
        raise OutOfStock(skus=short)
    now = timezone.now()
    return [
        Reservation(
            id=pk,
            operation_id=operation_id,
            sku=sku,
            quantity=wanted[sku],
            status=Reservation.Status.PENDING,
            expires_at=expires_at,
            created_at=now,
            updated_at=now,
        )
        for pk, sku in inserted
    ]


def _lock_reservations(operation_id: str) -> list[Reservation]:
    # Lock in SKU order, as holds do, so two callers cannot deadlock.
    return list(
        Reservation.objects.select_for_update()
        .filter(operation_id=operation_id)
        .order_by("sku")
    )


def _release(holds: list[Reservation]) -> None:
    stock_add({hold.sku: -hold.quantity for hold in holds}, fields=("reserved",))
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
