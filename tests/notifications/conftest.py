"""Fixtures of the notifications tests: sending, counting deliveries, faults."""

from __future__ import annotations

import pytest
from django.core import mail

from faults.services import fault_plan_set
from notifications.models import SentMessage
from notifications.services import notification_send

OP = "op-notify"
RECIPIENTS = {"email": "ada@example.com", "sms": "+441234567890", "push": "device-1"}
PROVIDER = "notifications.backends.SimulatedProviderBackend"


@pytest.fixture(autouse=True)
def simulated_provider(settings):
    """SMS and push go to the simulated provider's table, which outlives a process."""
    settings.SMS_BACKEND = settings.PUSH_BACKEND = PROVIDER


@pytest.fixture
def send(db):
    """Return a function that sends OP's message through a channel."""

    def send(channel: str) -> None:
        notification_send(
            operation_id=OP,
            channel=channel,
            recipient=RECIPIENTS[channel],
            subject="Your order shipped",
            body="It is on its way.",
        )

    return send


@pytest.fixture
def delivered(mailoutbox):
    """Return a function counting what a channel really delivered."""

    def delivered(channel: str) -> int:
        if channel == "email":
            return len(mail.outbox)
        return SentMessage.objects.filter(channel=channel, reference=OP).count()

    return delivered


@pytest.fixture
def plan_faults(settings):
    """Return a function that switches fault injection on and plans faults."""
    settings.FAULT_INJECTION = True

    def plan_faults(operation_id: str, plan: dict[str, str]) -> None:
        fault_plan_set(operation_id=operation_id, plan=plan)

    return plan_faults
