"""Scheduled warehouse tasks (django-q2)."""

from __future__ import annotations

from warehouse.services import stock_release_expired


def release_expired_holds() -> int:
    """Release the pending holds of dead sagas; return how many were released."""
    return stock_release_expired()
