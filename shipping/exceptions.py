"""Errors of shipping, each with a stable code."""

from __future__ import annotations

from problems.errors import ApplicationError


class InvalidAddress(ApplicationError):
    code = "invalid_address"
    status = 400
    title = "A shipping address is a non-empty object."


class CarrierShipmentNotFound(ApplicationError):
    code = "carrier_shipment_not_found"
    status = 404
    title = "The carrier knows no such shipment."


class CarrierReturnNotFound(ApplicationError):
    code = "carrier_return_not_found"
    status = 404
    title = "The carrier knows no such return parcel."


class ReturnNotReceived(ApplicationError):
    """The parcel is on its way back: ask again later (a transient answer)."""

    code = "return_not_received"
    status = 409
    title = "The return parcel has not reached the warehouse yet."


class ReturnCancelled(ApplicationError):
    """The carrier cancelled the parcel: it will never arrive."""

    code = "return_cancelled"
    status = 409
    title = "The return parcel was cancelled at the carrier."
