"""Errors of the orders app, each with a stable ``code`` the API and tests match on."""

from __future__ import annotations

from collections.abc import Iterable

from problems.errors import ApplicationError


class OrderError(ApplicationError):
    """Base of every error raised by the orders app."""

    code = "order_error"
    title = "The order request could not be completed."


class IllegalTransition(OrderError):
    """The event is not allowed from the order's current state."""

    code = "illegal_transition"
    status = 409
    title = "This event is not allowed in the order's current state."

    def __init__(
        self, *, order_id: object, state: str, event: str, allowed: Iterable[str]
    ) -> None:
        allowed = sorted(str(name) for name in allowed)
        state, event = str(state), str(event)
        super().__init__(
            f"Order {order_id} is {state!r}: event {event!r} is not allowed "
            f"(allowed: {', '.join(allowed) or 'none'}).",
            order_id=str(order_id),
            state=state,
            event=event,
            allowed_events=allowed,
        )


class TransitionConflict(OrderError):
    """Another writer changed the order's state between our read and our update."""

    code = "transition_conflict"
    status = 409
    title = "The order was changed by someone else; reload it and try again."

    def __init__(self, *, order_id: object, expected_state: str, event: str) -> None:
        expected_state, event = str(expected_state), str(event)
        super().__init__(
            f"Order {order_id} is no longer {expected_state!r}: another writer "
            f"moved it first, event {event!r} was not applied.",
            order_id=str(order_id),
            expected_state=expected_state,
            event=event,
        )


class GuardRejected(OrderError):
    """The event is allowed from this state, but its guard does not hold."""

    code = "transition_guard_failed"
    status = 409
    title = "The order's condition for this event does not hold."

    def __init__(self, *, order_id: object, state: str, event: str, guard: str) -> None:
        state, event = str(state), str(event)
        super().__init__(
            f"Order {order_id} is {state!r}: event {event!r} needs {guard!r}, "
            "which does not hold.",
            order_id=str(order_id),
            state=state,
            event=event,
            guard=guard,
        )


class StateNotEditable(OrderError):
    """``Order.state`` was assigned and saved instead of moved by an event.

    Raised by ``Order.save()``; only ``orders.services.order_transition`` changes a
    stored state (by a conditional update), and a new order starts ``created``.
    """

    code = "state_not_editable"
    status = 409
    title = "An order's state changes only through its events."


class OrderNotFound(OrderError):
    """No order with this id belongs to the user (another user's order included)."""

    code = "order_not_found"
    status = 404
    title = "Order not found."


class UnknownProduct(OrderError):
    """A line names a SKU that is not sold (missing or inactive)."""

    code = "unknown_product"
    title = "The order names a product that is not for sale."


class InvalidQuantity(OrderError):
    """A line's quantity is not a positive whole number."""

    code = "invalid_quantity"
    title = "Every line needs a positive whole quantity."


class EmptyOrder(OrderError):
    """The order has no lines."""

    code = "empty_order"
    title = "An order needs at least one line."


class OrderNotCancellable(OrderError):
    """The order's checkout can no longer be undone by a cancellation.

    ``reason`` says why: ``shipping`` once the shipment is under way (the
    carrier is being booked: a cancel is refused, never accepted and lost),
    ``under_review`` while a person must settle its run, ``finished`` once it
    ended.
    """

    code = "order_not_cancellable"
    status = 409
    title = "This order can no longer be cancelled."


class CheckoutUnavailable(OrderError):
    """A checkout could not hold its stock now (the warehouse keeps failing).

    Nothing was written: the same request may be sent again later.
    """

    code = "checkout_unavailable"
    status = 503
    title = "The checkout cannot take orders right now; try again shortly."
    retry_after = 5


class MixedCurrencies(OrderError):
    """The products of one order are priced in different currencies."""

    code = "mixed_currencies"
    title = "All products of one order must share a currency."
