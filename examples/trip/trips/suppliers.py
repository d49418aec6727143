"""Three pretend suppliers (car rental, hotel, airline), idempotent by key.

They play external systems: each keeps its bookings in its own table and
commits them at once, whatever the caller does next. A fault a test planned
makes one misbehave: ``refuse`` (no seats: a business answer), ``down`` (fails
before booking), ``crash`` (books, then the calling process dies), and
``cancel_down`` (its cancellations fail).
"""

from __future__ import annotations

import os
import signal
import uuid

from sagas.api import BusinessError
from trips.models import Booking, Fault


class SoldOut(BusinessError):
    """The supplier has nothing left: no retry can help."""

    code = "sold_out"


def book(supplier: str, *, key: str) -> str:
    """Book with ``supplier``; the same key again returns the first booking."""
    mode = _fault(supplier)
    if mode == "refuse":
        raise SoldOut(f"{supplier}: sold out")
    if mode == "down":
        raise ConnectionError(f"{supplier} is down")
    booking, _ = Booking.objects.get_or_create(
        key=key,
        defaults={
            "supplier": supplier,
            "reference": f"{supplier}-{uuid.uuid4().hex[:8]}",
        },
    )
    if mode == "crash":
        Fault.objects.filter(supplier=supplier).delete()  # it strikes once
        os.kill(os.getpid(), signal.SIGKILL)
    return booking.reference


def lookup(supplier: str, *, key: str) -> str | None:
    """Return the reference booked with ``key``, if the supplier has it."""
    booking = Booking.objects.filter(supplier=supplier, key=key).first()
    return booking.reference if booking else None


def cancel(supplier: str, *, reference: str) -> None:
    """Cancel a booking (again is a no-op)."""
    if _fault(supplier) == "cancel_down":
        raise ConnectionError(f"{supplier} cannot cancel now")
    Booking.objects.filter(supplier=supplier, reference=reference).update(
        cancelled=True
    )


def _fault(supplier: str) -> str:
    fault = Fault.objects.filter(supplier=supplier).first()
    return fault.mode if fault else ""
