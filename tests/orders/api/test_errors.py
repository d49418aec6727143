"""Every error under /api/ is application/problem+json, even Django's own."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.test import APIClient

from config.api_errors import api_exception_handler
from tests.orders.api.conftest import assert_problem

pytestmark = pytest.mark.django_db

SECRET = "db password is hunter2"


def test_a_server_error_is_a_problem_without_details(monkeypatch, settings):
    """An unhandled exception: 500 server_error, no traceback, no message."""
    settings.DEBUG = False

    def explode():
        raise RuntimeError(SECRET)

    monkeypatch.setattr("orders.api.product_list_with_stock", explode)
    client = APIClient(raise_request_exception=False)

    response = client.get("/api/products/")

    body = assert_problem(response, 500, "server_error")
    assert set(body) == {"type", "title", "status", "code", "request_id"}
    assert body["request_id"] == response["X-Request-ID"]
    assert SECRET not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_an_unknown_api_address_is_a_problem():
    """No route under /api/: 404 not_found as problem+json."""
    assert_problem(APIClient().get("/api/nothing-here/"), 404, "not_found")


def test_an_unknown_address_elsewhere_is_a_page(client):
    """Outside /api/ Django's own 404 page answers."""
    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_not_allowed_names_the_allowed_ones(alice_client):
    """DELETE on the catalogue: 405 method_not_allowed with an Allow header."""
    response = alice_client.delete("/api/products/")

    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_request_django_refuses_is_a_problem():
    """A Host header not allowed: Django's 400 answered as bad_request."""
    response = APIClient().get("/api/products/", headers={"Host": "evil.example"})

    assert_problem(response, 400, "bad_request")


def test_a_body_over_the_limit_is_413_on_any_api_path(settings):
    """The limit holds wherever DRF reads a body: 413 request_too_large."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    credentials = {"username": "x" * 200, "password": "y"}

    response = APIClient().post("/api/auth/token/", credentials, format="json")

    assert_problem(response, 413, "request_too_large")


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Http404("No such thing."), 404, "not_found"),
        (PermissionDenied("Not yours."), 403, "permission_denied"),
    ],
)
def test_djangos_own_errors_in_a_view_get_drfs_codes(error, status, code):
    """Http404 and PermissionDenied raised in a DRF view map to stable codes."""
    response = api_exception_handler(error, {})

    assert response.status_code == status
    assert json.loads(response.content)["code"] == code
