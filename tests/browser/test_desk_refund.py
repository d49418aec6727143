"""Customer service refunds part of a shipped order in a real headless Chromium.

The ``service`` user of the ``customer_service`` group (as ``seed_demo`` makes
it) logs into the admin, opens the order, refunds one mug with a reason,
and sees the refund on the order's timeline; the order stays shipped with
the rest still refundable. The page is saved as ``test-artifacts/desk-order.png``.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from aftersales.services import refundable_minor
from desk.models import DeskAction
from orders.audit import audit_problems
from orders.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from payments.selectors import refunds_for

# The checkout's fixtures: a catalogue in stock, a buyer, faults on, no sleeping.
from tests.orders.checkout.conftest import checkout, faults_on, no_waiting  # noqa: F401
from tests.orders.conftest import buyer, catalog  # noqa: F401

REASON = "The mug arrived broken."
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def service(settings, django_user_model):
    """The demo's customer service user, with its group's permissions."""
    settings.DEMO_PASSWORD = ""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    user = django_user_model.objects.get(username="service")
    assert user.groups.filter(name="customer_service").exists()
    return user


@pytest.fixture
def shipped(checkout):  # noqa: F811 (the fixture imported above)
    order = checkout(key="desk-browser").order
    order.refresh_from_db()
    assert order.state == "shipped"
    return order


def test_customer_service_refunds_one_line_and_sees_it_on_the_timeline(
    live_server, shipped, service, browser_page
):
    """Login, order page, refund form by line, success, the timeline entry."""
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    order_url = f"/admin/orders/order/{shipped.pk}/change/"

    page.goto(f"{live_server.url}/admin/login/?next={order_url}")
    page.fill("#id_username", "service")
    page.fill("#id_password", DEFAULT_DEMO_PASSWORD)
    page.click("input[type=submit]")

    assert page.inner_text("[data-testid=refundable]") == "52.50 EUR"
    page.click("#desk-refund")
    page.check("input[name=how][value=lines]")
    page.fill("input[name='qty_MUG-001']", "1")
    page.fill("textarea[name=reason]", REASON)
    page.click("#operator-form input[type=submit]")

    success = page.wait_for_selector(".messagelist .success")
    assert "refunded 12.50 EUR" in success.inner_text()
    entry = page.locator("#run-events tr[data-kind=desk_refund]")
    assert REASON in entry.inner_text()
    assert "admin:service" in entry.inner_text()
    assert page.inner_text("[data-testid=refundable]") == "40.00 EUR"
    page.screenshot(path=str(ARTIFACTS / "desk-order.png"), full_page=True)

    shipped.refresh_from_db()
    assert shipped.state == "shipped"
    refunds = refunds_for(operation_id=shipped.operation_id)
    assert [r.amount_minor for r in refunds] == [1250]
    assert refundable_minor(shipped) == 4000
    assert DeskAction.objects.get().actor == "admin:service"
    assert Group.objects.get(name="customer_service").user_set.count() == 1
    assert audit_problems() == []
