"""A shopper buys, then breaks the carrier in the failure lab, in a real Chromium.

The page of the broken order shows the compensations: the charge refunded, the
stock given back, the order refunded. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from orders.audit import audit_problems
from orders.models import Order
from tests.orders.checkout.conftest import faults_on, no_waiting  # noqa: F401
from tests.orders.conftest import buyer, catalog  # noqa: F401

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shopper_page(live_server, catalog, buyer, browser_page):  # noqa: F811
    """A page logged in as the buyer (alice, password "x")."""
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "x")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out alice")
    return page


def test_a_purchase_ships_and_the_page_shows_every_step(live_server, shopper_page):
    page = shopper_page
    page.goto(f"{live_server.url}/")
    page.fill("input[name='qty_TEE-001']", "2")
    page.click("button.primary")

    state = page.wait_for_selector("[data-testid=order-state]")
    assert state.inner_text() == "Shipped"
    steps = page.inner_text("ol.steps")
    for step in ("hold-stock", "charge-card", "create-shipment", "notify-sms"):
        assert step in steps
    page.wait_for_selector("pre.mermaid svg")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "storefront-shipped.png"), full_page=True)
    assert Order.objects.get().state == "shipped"


def test_the_lab_breaks_the_carrier_and_shows_the_compensations(
    live_server, shopper_page
):
    page = shopper_page
    page.goto(f"{live_server.url}/lab/")
    page.fill("input[name='qty_MUG-001']", "1")
    page.select_option("select[name='shipping.create']", "error")
    page.click("button.primary")

    state = page.wait_for_selector("[data-testid=order-state]")
    assert state.inner_text() == "Refunded"
    charge = page.locator("ol.steps li", has_text="charge-card")
    assert "compensated" in charge.inner_text()
    shipment = page.locator("ol.steps li", has_text="create-shipment")
    assert "failed" in shipment.inner_text()
    page.wait_for_selector("pre.mermaid svg")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "storefront-lab-refunded.png"), full_page=True)
    assert Order.objects.get().state == "refunded"
    assert audit_problems() == []
