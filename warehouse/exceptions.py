"""Errors of the warehouse, each with a stable code."""

from __future__ import annotations

from problems.errors import ApplicationError


class OutOfStock(ApplicationError):
    """Some SKUs cannot cover the hold; ``extra["skus"]`` lists them."""

    code = "out_of_stock"
    status = 409
    title = "Not enough stock for some items."

    def __init__(self, message: str | None = None, *, skus: list[str]) -> None:
        self.skus = skus
        super().__init__(message or f"Out of stock: {', '.join(skus)}.", skus=skus)


class InvalidHold(ApplicationError):
    code = "invalid_hold"
    status = 400
    title = "A hold needs at least one line with a SKU and a positive quantity."


class InvalidStockLevel(ApplicationError):
    code = "invalid_stock_level"
    status = 409
    title = "Stock cannot go below zero or below what is reserved."


class HoldNotFound(ApplicationError):
    """Confirming units that are not held (never held, released or expired)."""

    code = "hold_not_found"
    status = 409
    title = "The operation holds no stock to confirm."


class HoldNotConfirmed(ApplicationError):
    code = "hold_not_confirmed"
    status = 409
    title = "Only confirmed reservations can be shipped."


class UnknownSku(ApplicationError):
    code = "unknown_sku"
    status = 404
    title = "The warehouse keeps no stock of this SKU."


class InvalidStockOperation(ApplicationError):
    """A receipt of no units, a count below zero, or a change without a reason."""

    code = "invalid_stock_operation"
    status = 400
    title = "A stock change needs a positive quantity and a reason."
