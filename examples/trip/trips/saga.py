"""The trip saga: a car, then a hotel, then a flight; each with its undo.

| # | step        | action        | undo           | commit rule                   |
|---|-------------|---------------|----------------|-------------------------------|
| 1 | book-car    | book the car  | cancel the car | resumable (same key again)    |
| 2 | book-hotel  | book the room | cancel the room| resumable (reconcile, lookup) |
| 3 | book-flight | book the seat | cancel the seat| resumable (same key again)    |

The suppliers are external systems: no step writes anything of ours but its
journal entry, so none needs a commit before its call.
"""

from __future__ import annotations

from dataclasses import dataclass

from sagas.api import Outcome, RetryPolicy, Saga, Step, StepContext
from trips import suppliers

QUICK = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


@dataclass
class TripState:
    """The traveller and the suppliers' references, saved after every step."""

    traveller: str
    car: str = ""
    hotel: str = ""
    flight: str = ""


def _booker(supplier: str):
    def book(ctx: StepContext[TripState]) -> None:
        setattr(ctx.state, supplier, suppliers.book(supplier, key=ctx.idempotency_key))

    def cancel(ctx: StepContext[TripState]) -> None:
        reference = getattr(ctx.state, supplier)
        if reference:
            suppliers.cancel(supplier, reference=reference)

    book.__doc__ = f"Book the {supplier}."
    cancel.__doc__ = f"Cancel the {supplier}."
    return book, cancel


book_car, cancel_car = _booker("car")
book_hotel, cancel_hotel = _booker("hotel")
book_flight, cancel_flight = _booker("flight")


def lookup_hotel(ctx: StepContext[TripState]) -> Outcome:
    """Ask the hotel whether our booking went through."""
    reference = suppliers.lookup("hotel", key=ctx.idempotency_key)
    if reference is None:
        return Outcome.NOT_HAPPENED
    ctx.state.hotel = reference
    return Outcome.COMPLETED


trip_saga = Saga(
    "trip",
    [
        Step(
            "book-car",
            book_car,
            cancel_car,
            idempotent=True,
            retry=QUICK,
            compensation_retry=QUICK,
            saves=("car",),
        ),
        Step(
            "book-hotel",
            book_hotel,
            cancel_hotel,
            reconcile=lookup_hotel,
            retry=QUICK,
            compensation_retry=QUICK,
            saves=("hotel",),
        ),
        Step(
            "book-flight",
            book_flight,
            cancel_flight,
            idempotent=True,
            retry=QUICK,
            compensation_retry=QUICK,
            saves=("flight",),
        ),
    ],
    TripState,
    business_errors=(suppliers.SoldOut,),
)
