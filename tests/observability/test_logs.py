"""Every JSON log line names its request; a problem's request_id finds its lines."""

from __future__ import annotations

import logging

import pytest

from observability.request_ids import HEADER
from tests.observability.console import console_lines
from tests.observability.traces import spans  # noqa: F401  (the fixture)
from tests.orders.api.conftest import checkout_body, token_client
from tests.orders.checkout.conftest import no_waiting  # noqa: F401
from tests.orders.conftest import buyer, catalog  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_problem_response_names_the_request_its_log_lines_name(
    catalog,  # noqa: F811
    buyer,  # noqa: F811
    settings,
):
    """Out of stock: the 409's request_id is its header's and every line's."""
    settings.CHECKOUT_EXECUTION = "inline"
    with console_lines() as lines:
        response = token_client(buyer).post(
            "/api/orders/",
            checkout_body(lines=[{"sku": "MUG-001", "quantity": 6}]),
            format="json",
            headers={"Idempotency-Key": "too-many-mugs"},
        )

    body = response.json()
    assert (response.status_code, body["code"]) == (409, "out_of_stock")
    assert body["request_id"] == response[HEADER]
    assert {line["name"] for line in lines} >= {"sagas", "django.request"}
    assert {line["request_id"] for line in lines} == {body["request_id"]}


def test_a_line_outside_any_request_has_no_request_id():
    from observability.logs import RequestContextFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)

    assert RequestContextFilter().filter(record)
    assert record.request_id is None
    assert not hasattr(record, "trace_id")


def test_with_tracing_on_a_line_names_its_trace_and_span(spans):  # noqa: F811
    from opentelemetry import trace

    from observability.logs import RequestContextFilter
    from observability.tracing import tracer

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    with tracer().start_as_current_span("work") as span:
        RequestContextFilter().filter(record)

    assert record.trace_id == trace.format_trace_id(span.get_span_context().trace_id)
    assert record.span_id == trace.format_span_id(span.get_span_context().span_id)
