"""A reviewer finishes a stuck checkout in a real headless Chromium.

Shipping fails and so does the refund: the run waits for review. Once the
processor is back, the reviewer logs in, opens the queue, opens the run, retries
the compensations with a note, and sees the order refunded. The run page is
saved as ``test-artifacts/review-run.png``.

Needs Debian's ``chromium`` (/usr/bin/chromium) and the ``playwright`` package;
Playwright's own browser downloads are never used.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q

from faults.services import fault_plan_clear
from orders.audit import audit_problems
from orders.models import Order
from sagas.models import SagaReviewAction, SagaRun

# The checkout's fixtures: a catalogue in stock, a buyer, faults on, no sleeping.
from tests.orders.checkout.conftest import checkout, faults_on, no_waiting  # noqa: F401
from tests.orders.conftest import buyer, catalog  # noqa: F401

PASSWORD = "review-pw-1"
NOTE = "Processor incident is over; refunding the customer."
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reviewer(django_user_model):
    """Staff allowed to look at runs and orders and to act on reviews."""
    user = django_user_model.objects.create_user(
        "reviewer", password=PASSWORD, is_staff=True
    )
    wanted = Q(
        content_type__app_label="sagas", codename__in=["view_sagarun", "review_sagarun"]
    ) | Q(content_type__app_label="orders", codename="view_order")
    user.user_permissions.add(*Permission.objects.filter(wanted))
    return user


@pytest.fixture
def stuck(checkout):  # noqa: F811 (the fixture imported above)
    """A checkout whose refund kept failing, with the processor now back."""
    result = checkout(faults={"shipping.create": "error", "payments.refund": "error"})
    assert result.run.status == SagaRun.Status.NEEDS_REVIEW
    assert result.order.state == "reserved"
    fault_plan_clear(operation_id=result.order.operation_id)
    return result


def test_a_reviewer_retries_the_compensations_and_sees_the_order_refunded(
    live_server, reviewer, stuck, browser_page
):
    """Queue, run page, retry with a note, success message, order refunded."""
    # The database fixtures come before browser_page: they run outside its loop.
    page = browser_page
    run, order = stuck.run, stuck.order
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/sagas/sagarun/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)
    row = page.locator("#result_list tbody tr").first
    assert row.locator(".field-operation span").get_attribute("title") == (
        run.operation_id
    )
    assert row.locator(".field-subject_state").inner_text() == "Reserved"
    row.locator(".field-operation a").click()

    page.wait_for_selector("#timeline")
    assert "This run waits for a person" in page.inner_text(".saga-banner")
    page.screenshot(path=str(ARTIFACTS / "review-run-before.png"), full_page=True)
    page.fill("#retry-compensations textarea[name=note]", NOTE)
    page.click("#retry-compensations input[type=submit]")

    success = page.wait_for_selector(".messagelist .success")
    assert "the run is now compensated" in success.inner_text()
    assert "state Refunded" in success.inner_text()
    assert NOTE in page.inner_text("#audit-trail")
    screenshot = ARTIFACTS / "review-run.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0

    page.click(f"a[href='/admin/orders/order/{order.pk}/change/']")
    assert page.text_content("#order-life h2") == "State: Refunded"
    page.wait_for_selector("pre.mermaid svg")
    page.screenshot(path=str(ARTIFACTS / "review-order.png"), full_page=True)

    order.refresh_from_db()
    assert order.state == Order.State.REFUNDED
    assert SagaReviewAction.objects.get().note == NOTE
    assert audit_problems() == []
