"""What may be returned or refunded: the checks a return or refund starts with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from aftersales.exceptions import (
    InvalidReturn,
    RefundTooLarge,
    ReturnNotAllowed,
    ReturnTooLarge,
    ReturnWindowClosed,
)
from aftersales.selectors import return_window_open, returnable_quantities
from orders.models import Order
from orders.money import to_minor
from orders.states import State


def return_lines_merge(lines: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Return ``{sku: units}`` in SKU order, adding up repeated SKUs.

    Raise ``InvalidReturn`` for a line without a SKU or a positive quantity.
    """
    wanted: dict[str, int] = {}
    for line in lines:
        sku, units = line.get("sku"), line.get("quantity")
        valid_units = isinstance(units, int) and not isinstance(units, bool)
        if not isinstance(sku, str) or not valid_units or units < 1:
            raise InvalidReturn(f"Invalid line: {line!r}.")
        wanted[sku] = wanted.get(sku, 0) + units
    if not wanted:
        raise InvalidReturn("A return names at least one line.")
    return dict(sorted(wanted.items()))


def returnable_check(order: Order, wanted: dict[str, int]) -> None:
    """Raise unless ``order`` is shipped, in its window, with ``wanted`` returnable."""
    if order.state != State.SHIPPED:
        raise ReturnNotAllowed(
            f"Order {order.pk} is {order.state}, not shipped.",
            order_id=str(order.pk),
            state=order.state,
        )
    if not return_window_open(order=order, now=timezone.now()):
        raise ReturnWindowClosed(
            f"Returns close {settings.RETURN_WINDOW_DAYS} days after shipping.",
            order_id=str(order.pk),
        )
    returnable = returnable_quantities(order=order)
    unknown = sorted(set(wanted) - set(returnable))
    if unknown:
        raise InvalidReturn(
            f"Order {order.pk} has no {', '.join(unknown)}.", skus=unknown
        )
    over = {
        sku: returnable[sku] for sku, units in wanted.items() if units > returnable[sku]
    }
    if over:
        raise ReturnTooLarge(
            "More units than were shipped and not yet returned: "
            + ", ".join(f"{sku} (at most {units})" for sku, units in over.items()),
            returnable=over,
        )


def refund_amount_of(
    order: Order, amount_minor: int | None, lines: Sequence[tuple[str, int]] | None
) -> int | None:
    """Return the amount asked (None: all that is refundable)."""
    if amount_minor is not None and lines is not None:
        raise RefundTooLarge("Refund by amount or by lines, not both.")
    if lines is not None:
        ordered = {line.sku: line for line in order.line_rows}
        value = Decimal(0)
        for sku, units in lines:
            line = ordered.get(sku)
            if (
                line is None
                or not isinstance(units, int)
                or isinstance(units, bool)
                or not 0 < units <= line.quantity
            ):
                raise RefundTooLarge(f"Order {order.pk} has no {units} x {sku}.")
            value += line.unit_price * units
        return to_minor(value, order.currency)
    if amount_minor is not None and (
        not isinstance(amount_minor, int) or amount_minor <= 0
    ):
        raise RefundTooLarge(f"{amount_minor!r} is not an amount to refund.")
    return amount_minor
