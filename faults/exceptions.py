"""Errors of fault injection: refused plans, and the faults themselves."""

from __future__ import annotations

from problems.errors import ApplicationError


class FaultInjectionDisabled(ApplicationError):
    code = "fault_injection_disabled"
    status = 400
    title = "Fault injection is switched off on this server."


class InvalidFaultPlan(ApplicationError):
    code = "invalid_fault_plan"
    status = 400
    title = "The fault plan names an unknown point or mode."


class ServiceUnavailable(Exception):
    """An external service failed before doing anything: retrying is safe.

    Deliberately not an ``ApplicationError``: it is an infrastructure failure that a
    caller retries, never a business answer such as "card declined".
    """

    code = "service_unavailable"

    def __init__(self, message: str, *, point: str = "", mode: str = "") -> None:
        self.point = point
        self.mode = mode
        super().__init__(message)


class InjectedFault(ServiceUnavailable):
    """A planned ``error`` or ``transient`` fault: raised before the effect."""

    code = "injected_fault"


class InjectedTimeout(TimeoutError):
    """A planned ``timeout``: the effect happened but its answer was "lost".

    A subclass of the builtin ``TimeoutError`` because that is what a caller sees
    when a real network call times out: the outcome is unknown.
    """

    code = "injected_timeout"

    def __init__(self, message: str, *, point: str = "") -> None:
        self.point = point
        super().__init__(message)
