"""The OpenAPI schema at /api/schema/ and the Swagger UI at /api/docs/."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

from idempotency.headers import SCHEMA_PATTERN

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
OPERATIONS = {
    ("/api/auth/token/", "post"),
    ("/api/products/", "get"),
    ("/api/orders/", "get"),
    ("/api/orders/", "post"),
    ("/api/orders/{id}/", "get"),
    ("/api/orders/{id}/cancel/", "post"),
    ("/api/orders/{id}/returns/", "get"),
    ("/api/orders/{id}/returns/", "post"),
}
URL_ATTRIBUTE = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operation(schema: dict, path: str, method: str) -> dict:
    return schema["paths"][path][method]


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    """drf-spectacular validates the schema and has nothing to warn about."""
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
    )


def test_the_schema_documents_every_operation(schema):
    """Exactly the API's operations, each with an operation id."""
    found = {
        (path, method)
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert found == OPERATIONS


def test_every_error_response_is_a_problem(schema):
    """Every documented 4xx and 5xx is application/problem+json with a code."""
    for path, method in OPERATIONS:
        responses = operation(schema, path, method)["responses"]
        errors = {status: r for status, r in responses.items() if status >= "400"}
        assert "500" in errors, (path, method)
        for status, response in errors.items():
            assert list(response["content"]) == [PROBLEM], (path, method, status)
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "code", "request_id"}


def test_checkout_documents_its_statuses_and_headers(schema):
    """POST /api/orders/: 201, 202, the refusals, Location and Retry-After."""
    responses = operation(schema, "/api/orders/", "post")["responses"]

    assert set(responses) == {
        "201",
        "202",
        "400",
        "401",
        "402",
        "403",
        "409",
        "413",
        "415",
        "422",
        "429",
        "500",
        "503",
    }
    assert responses["201"]["headers"]["Location"]["required"] is True
    assert responses["202"]["headers"]["Location"]["required"] is True
    assert responses["429"]["headers"]["Retry-After"]["required"] is True


def test_every_operation_documents_a_503_with_retry_after(schema):
    """A dependency down is part of every operation's contract (config.outages)."""
    for path, method in OPERATIONS:
        response = operation(schema, path, method)["responses"]["503"]
        assert response["headers"]["Retry-After"]["required"] is True, (path, method)


def test_every_request_body_is_json_only(schema):
    """The API parses JSON only; the schema offers nothing else (issue 12)."""
    for path, method in OPERATIONS:
        body = operation(schema, path, method).get("requestBody")
        if body is not None:
            assert list(body["content"]) == ["application/json"], (path, method)


def test_checkout_requires_an_idempotency_key_header(schema):
    """The header is required on checkout, with the middleware's pattern."""
    (key,) = [
        p
        for p in operation(schema, "/api/orders/", "post")["parameters"]
        if p["name"] == "Idempotency-Key"
    ]

    assert key["in"] == "header"
    assert key["required"] is True
    assert key["schema"]["pattern"] == SCHEMA_PATTERN


def test_token_and_session_authentication_are_described(schema):
    """Both security schemes, and both on the operations that need a user."""
    schemes = schema["components"]["securitySchemes"]

    assert schemes["tokenAuth"]["in"] == "header"
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert operation(schema, "/api/orders/", "get")["security"] == [
        {"tokenAuth": []},
        {"cookieAuth": []},
    ]


def test_money_is_a_decimal_string(schema):
    """Prices and totals are strings, so that no client rounds them as floats."""
    schemas = schema["components"]["schemas"]

    for component, field in [
        ("Product", "price"),
        ("Order", "total"),
        ("OrderLine", "unit_price"),
    ]:
        assert schemas[component]["properties"][field]["type"] == "string"
        assert schemas[component]["properties"][field]["format"] == "decimal"


def test_the_limits_are_in_the_schema(schema, settings):
    """maxItems and maximum follow CHECKOUT_MAX_LINES and CHECKOUT_MAX_QUANTITY."""
    schemas = schema["components"]["schemas"]

    assert schemas["CheckoutRequest"]["properties"]["lines"]["maxItems"] == 20
    assert schemas["LineInputRequest"]["properties"]["quantity"]["maximum"] == 10


def test_the_docs_load_only_local_files_and_no_inline_code():
    """The Swagger UI page references files of this site only (no CDN), its
    start-up script among them: nothing inline for the CSP to refuse."""
    client = Client()
    page = client.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    urls = URL_ATTRIBUTE.findall(html)
    assert urls
    assert all(url.startswith("/static/") for url in urls[:-1]), urls
    assert urls[-1] == "/api/docs/?script="
    assert "//cdn" not in html
    assert "<style" not in html
    assert re.search(r"<script>", html) is None
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get(urls[-1])["Content-Type"].startswith("application/javascript")


def test_the_docs_can_be_switched_off(settings):
    """API_DOCS_ENABLED = False: 404; the schema itself stays."""
    settings.API_DOCS_ENABLED = False

    assert Client().get("/api/docs/").status_code == 404
    assert Client().get("/api/schema/").status_code == 200
