"""Every kind of page works under the Content-Security-Policy, in a real Chromium.

The storefront (with htmx and a Mermaid diagram), the login form, the admin's
order and saga run pages (Mermaid again), and Swagger UI are each opened with
the policy the service sends; the browser must report no violation at all,
and each page must still do its job (the diagram drawn, the operations listed).
"""

from __future__ import annotations

import pytest

from orders.models import Order
from sagas.models import SagaRun
from tests.orders.checkout.conftest import checkout, faults_on, no_waiting  # noqa: F401
from tests.orders.conftest import buyer, catalog  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every violation the page sees, from before its first script runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
  );
});
"""


@pytest.fixture
def csp_page(live_server, catalog, buyer, django_user_model, browser_page):  # noqa: F811
    """A browser page that records CSP violations and console errors."""
    django_user_model.objects.create_superuser("root", password="root-pw-1")
    page = browser_page
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error" and page.console_errors.append(message.text)
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def assert_no_violation(page) -> None:
    """Assert the current page hit no CSP violation and logged no CSP error."""
    violations = page.evaluate("window.__cspViolations")
    csp_errors = [e for e in page.console_errors if "Content Security Policy" in e]
    assert (violations, csp_errors) == ([], []), page.url


def log_in(page, base_url: str, path: str, username: str, password: str) -> None:
    page.goto(f"{base_url}{path}")
    assert_no_violation(page)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[type=submit]")


def test_the_storefront_works_under_the_policy(live_server, csp_page):
    """Shop, login, lab, a purchase and its order page with the diagram."""
    page = csp_page
    page.goto(f"{live_server.url}/")
    assert_no_violation(page)
    log_in(page, live_server.url, "/accounts/login/", "alice", "x")
    page.wait_for_selector("text=Log out alice")
    page.goto(f"{live_server.url}/lab/")
    assert_no_violation(page)

    page.goto(f"{live_server.url}/")
    page.fill("input[name='qty_TEE-001']", "1")
    page.click("button.primary")
    page.wait_for_selector("[data-testid=order-state]")
    page.wait_for_selector("pre.mermaid svg")

    assert_no_violation(page)
    assert Order.objects.get().state == "shipped"


def test_the_admin_and_its_diagrams_work_under_the_policy(
    live_server,
    csp_page,
    checkout,  # noqa: F811 (the fixture imported above)
):
    """The order page draws its state diagram; the run page shows its steps."""
    result = checkout()
    page = csp_page
    log_in(page, live_server.url, "/admin/login/", "root", "root-pw-1")
    page.wait_for_selector("#user-tools")
    assert_no_violation(page)

    page.goto(f"{live_server.url}/admin/orders/order/{result.order.pk}/change/")
    page.wait_for_selector("#order-diagram svg")
    assert_no_violation(page)

    run = SagaRun.objects.get()
    page.goto(f"{live_server.url}/admin/sagas/sagarun/{run.pk}/change/")
    page.wait_for_selector("text=create-shipment")
    assert_no_violation(page)
    page.goto(f"{live_server.url}/admin/orders/order/")
    assert_no_violation(page)


def test_swagger_ui_works_under_the_policy(live_server, csp_page):
    """The docs page loads its script from a file and lists the operations."""
    page = csp_page
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path")

    assert "/api/orders/" in page.inner_text("#swagger-ui")
    assert_no_violation(page)


def test_a_chapter_and_its_diagram_work_under_the_policy(live_server, csp_page):
    """The lab's link to a chapter: the page renders and its Mermaid diagram draws."""
    page = csp_page
    page.goto(f"{live_server.url}/docs/01-partial-failure/")

    page.wait_for_selector("pre.mermaid svg")
    assert page.locator("article.chapter h1").inner_text().startswith("1. Partial")
    assert_no_violation(page)
