"""Fixtures of the desk tests: a shipped order, and staff with the desk's rights."""

from __future__ import annotations

import pytest
from django.test import Client

from orders.models import Order

# Staff who may look at orders and change nothing: no desk rights.
from tests.orders.admin.conftest import (  # noqa: F401
    VIEW,
    client_for,
    onlooker,
    onlooker_client,
    staff_with,
)

# The checkout's fixtures: a catalogue in stock, a buyer, faults on, no sleeping,
# SMS and push delivered to the simulated provider's table.
from tests.orders.checkout.conftest import (  # noqa: F401
    checkout,
    faults_on,
    no_waiting,
    simulated_provider,
)
from tests.orders.conftest import buyer, catalog  # noqa: F401

DESK = [
    *VIEW,
    ("desk", "refund_order"),
    ("desk", "record_external_refund"),
    ("desk", "resend_notification"),
]


@pytest.fixture
def shipped(checkout) -> Order:  # noqa: F811 (the fixture imported above)
    """A shipped order of 2 T-shirts at 20.00 and 1 mug at 12.50: 52.50 EUR."""
    order = checkout().order
    order.refresh_from_db()
    assert order.state == "shipped"
    return order


@pytest.fixture
def agent(django_user_model):
    """Customer service staff: may look at orders and use the desk."""
    return staff_with(django_user_model, "agent", DESK)


@pytest.fixture
def agent_client(agent) -> Client:
    return client_for(agent)
