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
