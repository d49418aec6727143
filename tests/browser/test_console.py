"""Every page the storefront and the admin serve loads without a console error.

A real Chromium follows the links of the shop (logged in as a buyer) and of
the admin (logged in as a superuser, with orders in every kind of state and a
run waiting for review), one page of each kind: a page whose address differs
only by an object's id is the same template. On each, nothing may be logged
as an error, no script may throw, and nothing it loads may fail (a missing
``/favicon.ico`` is such a failure: every page asks for it).
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

import pytest

from faults.services import fault_plan_clear
from outbox.models import WebhookEndpoint
from outbox.relay import outbox_relay
from tests.orders.checkout.conftest import checkout, faults_on, no_waiting  # noqa: F401
from tests.orders.conftest import buyer, catalog  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "console-pw-1"
# Enough for every kind of page, bounded so a loop in the links cannot run on.
MAX_PAGES = 150
# Addresses that end a session, answer something other than a page, or act.
SKIPPED = re.compile(r"/logout/|/api/(?!docs/)|/metrics|/healthz|/readyz|/static/")
IDS = re.compile(
    r"/(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=/)"
)


@pytest.fixture
def shop_with_history(checkout, django_user_model):  # noqa: F811
    """Orders shipped, refunded and waiting for review; a superuser; webhooks."""
    checkout()
    checkout(faults={"shipping.create": "error"})
    stuck = checkout(faults={"shipping.create": "error", "payments.refund": "error"})
    fault_plan_clear(operation_id=stuck.order.operation_id)
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hook")
    outbox_relay()  # deliveries exist (and failed: nothing listens there)
    django_user_model.objects.create_superuser("root", password=PASSWORD)


class Crawl:
    """Visit pages of one site from a start page, one page per address shape."""

    def __init__(self, page, base_url: str, *, within: str = "/") -> None:
        self.page, self.base_url, self.within = page, base_url, within
        self.errors: list[str] = []
        self.seen: set[str] = set()
        self.visited: list[str] = []
        page.on(
            "console",
            lambda m: m.type == "error" and self.errors.append(f"{page.url}: {m.text}"),
        )
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and self.errors.append(f"{page.url}: {r.status} {r.url}")
            ),
        )

    def shape(self, url: str) -> str:
        return IDS.sub("/<id>", urlsplit(url).path)

    def run(self, start: str) -> None:
        queue = [f"{self.base_url}{start}"]
        while queue and len(self.visited) < MAX_PAGES:
            url = queue.pop(0)
            if self.shape(url) in self.seen:
                continue
            self.seen.add(self.shape(url))
            response = self.page.goto(url, wait_until="load")
            if not self.visited:
                # The browser asks for /favicon.ico once, after the first load.
                self.page.wait_for_load_state("networkidle")
            self.visited.append(url)
            if response is None or "text/html" not in response.headers.get(
                "content-type", ""
            ):
                continue
            queue.extend(self.links())

    def links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        found = []
        for href in hrefs:
            href = urldefrag(href).url
            parts = urlsplit(href)
            if not href.startswith(self.base_url) or parts.query:
                continue  # another site, or a filter of a page already seen
            if not parts.path.startswith(self.within):
                continue
            if SKIPPED.search(parts.path):
                continue
            found.append(href)
        return found


def log_in(page, base_url: str, path: str, username: str) -> None:
    page.goto(f"{base_url}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD if username == "root" else "x")
    page.click("[type=submit]")
    page.wait_for_load_state("networkidle")


def test_every_storefront_page_loads_without_a_console_error(
    live_server, shop_with_history, browser_page
):
    crawl = Crawl(browser_page, live_server.url)
    crawl.run("/")  # as a visitor: the shop and the login page
    log_in(browser_page, live_server.url, "/accounts/login/", "alice")

    crawl.seen.clear()
    crawl.run("/")

    assert crawl.errors == []
    shapes = {crawl.shape(url) for url in crawl.visited}
    assert {"/", "/lab/", "/orders/", "/orders/<id>/", "/api/docs/"} <= shapes


def test_every_admin_page_loads_without_a_console_error(
    live_server, shop_with_history, browser_page
):
    crawl = Crawl(browser_page, live_server.url, within="/admin/")
    log_in(browser_page, live_server.url, "/admin/login/", "root")

    crawl.run("/admin/")

    assert crawl.errors == []
    shapes = {crawl.shape(url) for url in crawl.visited}
    assert {
        "/admin/",
        "/admin/sagas/sagarun/",
        "/admin/sagas/sagarun/<id>/change/",
        "/admin/orders/order/<id>/change/",
        "/admin/outbox/webhookdelivery/",
        "/admin/sagas/sagarun/<id>/history/",
    } <= shapes
    assert len(crawl.visited) < MAX_PAGES  # every kind was reached
