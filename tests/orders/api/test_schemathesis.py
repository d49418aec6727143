"""Schemathesis against the app in-process: every response matches the schema.

The schema is loaded from /api/schema/ through WSGI and every operation is
called with generated requests (valid and invalid ones), authenticated with a
token. A response fails the test when it is a server error, or when its status,
content type, headers or body are not what the schema documents.
"""

from __future__ import annotations

import re
import uuid

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from idempotency.headers import SCHEMA_PATTERN as IDEMPOTENCY_KEY_PATTERN

KEY_PATTERN = re.compile(IDEMPOTENCY_KEY_PATTERN)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Small and bounded: a smoke test of the contract, not a fuzzing campaign.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 25},
        "phases": {"stateful": {"enabled": False}},
    }
)


@pytest.fixture
def api_schema(transactional_db, settings):
    """The API's schema, loaded from the app itself; faults and throttling off."""
    settings.FAULT_INJECTION = False
    settings.CHECKOUT_THROTTLE_RATE = "100000/min"
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def node_id_for_schemathesis(request):
    """Give the test node the private ``_nodeid`` schemathesis renames.

    schemathesis 4.32 labels each operation's subtest by rewriting
    ``request.node._nodeid``, an attribute pytest 9 no longer has.
    """
    request.node._nodeid = request.node.nodeid


@pytest.fixture
def alice_token(alice, catalog) -> str:
    return Token.objects.create(user=alice).key


def with_a_fresh_key(case) -> None:
    """Make a well-formed Idempotency-Key unique to this example.

    Hypothesis sends the same few keys again and again, so nearly every checkout
    would be answered 422 (the key reused with another body) and the bodies
    would go untested. Malformed or missing keys are sent as generated.
    """
    key = (case.headers or {}).get("Idempotency-Key")
    if key is not None and KEY_PATTERN.fullmatch(key):
        suffix = f"-{uuid.uuid4().hex}"
        case.headers["Idempotency-Key"] = key[: 255 - len(suffix)] + suffix


@pytest.mark.timeout(120)
@schema.parametrize()
def test_every_response_matches_the_schema(case, alice_token):
    """No server error, and every response conforms to the documented one."""
    with_a_fresh_key(case)
    case.call_and_validate(
        headers={"Authorization": f"Token {alice_token}"}, checks=CHECKS
    )
