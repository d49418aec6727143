"""Schemathesis against the app in-process: every response matches the schema.

The schema is loaded from /api/schema/ through WSGI and every operation is
called with generated requests (valid and invalid ones), authenticated with a
token. A response fails the test when it is a server error, or when its status,
content type, headers or body are not what the schema documents.

Two hooks make the generated checkouts reach the saga instead of bouncing off
the Idempotency-Key: a fresh well-formed key for every request (Hypothesis
would send the same few keys again and again: 409 and 422), and real SKUs in
the lines (a random string names no product: 400 unknown_product). The
stateful test follows the schema's links from a checkout to its detail and its
cancellation, and records how many checkouts it really created.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from idempotency.headers import SCHEMA_PATTERN as IDEMPOTENCY_KEY_PATTERN
from orders.models import Order, Product
from warehouse.services import stock_set

KEY_PATTERN = re.compile(IDEMPOTENCY_KEY_PATTERN)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Small and bounded: a smoke test of the contract, not a fuzzing campaign. The
# stateful phase follows the links the schema declares, none inferred: inferred
# ones (list -> detail) would make schemathesis start its scenarios there rather
# than at checkout, whose shipping_address it takes for a foreign key.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 25},
        "phases": {"stateful": {"inference": {"algorithms": []}}},
    }
)
STATEFUL = hypothesis_settings(
    max_examples=40,
    stateful_step_count=6,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# What the stateful run must achieve to have tested checkout at all.
MIN_CHECKOUTS = 50


@pytest.fixture
def fuzz_catalog(transactional_db, settings) -> list[str]:
    """As many products as a checkout may have lines, each with plenty of stock.

    One SKU per line, so that lines never merge past the quantity limit, and
    stock enough that out_of_stock never ends a generated checkout early.
    """
    skus = [f"FUZZ-{n:03}" for n in range(settings.CHECKOUT_MAX_LINES)]
    for sku in skus:
        Product.objects.create(sku=sku, name=sku, price=Decimal("1.00"))
        stock_set(sku=sku, on_hand=100_000)
    return skus


@pytest.fixture
def api_schema(transactional_db, settings, fuzz_catalog):
    """The API's schema, loaded from the app itself; faults and throttling off."""
    settings.FAULT_INJECTION = False
    settings.CHECKOUT_THROTTLE_RATE = "100000/min"
    loaded = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
    )
    loaded.hook("map_body")(real_skus(fuzz_catalog))
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


def real_skus(skus: list[str]):
    """Return a map_body hook that puts catalogue SKUs in the generated lines.

    The n-th line names the n-th product, so a given example always maps the
    same way (Hypothesis replays examples); quantities, addresses and tokens
    stay as generated, and so does any line that is not an object with a SKU.
    """

    def map_body(context: Any, body: Any) -> Any:
        lines = body.get("lines") if isinstance(body, dict) else None
        if isinstance(lines, list):
            for number, line in enumerate(lines):
                if isinstance(line, dict) and isinstance(line.get("sku"), str):
                    line["sku"] = skus[number % len(skus)]
        return body

    return map_body


def with_a_fresh_key(context: Any, case: Any, **kwargs: Any) -> None:
    """Make a well-formed Idempotency-Key unique to this request (before_call).

    Malformed or missing keys are sent as generated: they must be refused.
    """
    key = (case.headers or {}).get("Idempotency-Key")
    if key is not None and KEY_PATTERN.fullmatch(key):
        case.headers["Idempotency-Key"] = f"fresh-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def fresh_keys() -> Iterator[None]:
    """Install the before_call hook for this test only.

    schemathesis dispatches before_call from its global hooks alone.
    """
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(with_a_fresh_key, "before_call")
    yield
    GLOBAL_HOOK_DISPATCHER.unregister(with_a_fresh_key)


@pytest.fixture(autouse=True)
def node_id_for_schemathesis(request):
    """Give the test node the private ``_nodeid`` schemathesis renames.

    schemathesis 4.32 labels each operation's subtest by rewriting
    ``request.node._nodeid``, an attribute pytest 9 no longer has.
    """
    request.node._nodeid = request.node.nodeid


@pytest.fixture
def alice_token(alice) -> str:
    return Token.objects.create(user=alice).key


@pytest.mark.timeout(120)
@schema.parametrize()
def test_every_response_matches_the_schema(case, alice_token):
    """No server error, and every response conforms to the documented one."""
    case.call_and_validate(
        headers={"Authorization": f"Token {alice_token}"}, checks=CHECKS
    )


@pytest.mark.timeout(240)
def test_checkouts_chain_to_detail_and_cancel_through_the_links(
    api_schema, alice_token, record_property, capsys
):
    """Stateful: checkouts (with fresh keys), then the detail and the cancel of
    the order each created, by the schema's links; at least MIN_CHECKOUTS real
    orders, each of which the links can reach."""
    answered: list[tuple[str, int]] = []

    class Workflow(api_schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {alice_token}"}}

        def after_call(self, response, case):
            answered.append((case.operation.label, response.status_code))

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(settings=STATEFUL)

    created = Order.objects.count()
    statuses = Counter(answered)
    record_property("checkouts_created", created)
    with capsys.disabled():
        print(f"\nschemathesis created {created} orders; answers: {dict(statuses)}")
    assert created >= MIN_CHECKOUTS
    # The links led to real orders: read (200) and cancelled or refused by their
    # state (200, 202, 409), not only to ids that do not exist (404).
    assert statuses["GET /api/orders/{id}/", 200]
    assert any(
        statuses["POST /api/orders/{id}/cancel/", status] for status in (200, 202, 409)
    )
