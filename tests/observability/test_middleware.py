"""Every request gets an id: the client's, its trace's, or a new one; answered back."""

from __future__ import annotations

import re

import pytest

from observability.request_ids import HEADER
from tests.observability.traces import spans  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
NEW_ID = re.compile(r"[0-9a-f]{32}")


def test_a_request_without_ids_is_given_a_new_one(client):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert NEW_ID.fullmatch(first[HEADER])
    assert first[HEADER] != second[HEADER]


def test_a_valid_x_request_id_is_kept(client):
    response = client.get("/healthz", headers={HEADER: "edge-7f3c:42"})

    assert response[HEADER] == "edge-7f3c:42"


@pytest.mark.parametrize(
    "value", ["", "a" * 129, "two words", "line\r\nbreak", "<script>"]
)
def test_an_invalid_x_request_id_is_replaced(client, value):
    """Too long, or characters unsafe in a log line or a header: a new id."""
    response = client.get("/healthz", headers={HEADER: value})

    assert NEW_ID.fullmatch(response[HEADER])


def test_a_valid_traceparent_gives_its_trace_id(client):
    """Tracing off: the id is still the trace the client named."""
    response = client.get("/healthz", headers={"traceparent": TRACEPARENT})

    assert response[HEADER] == TRACE_ID


@pytest.mark.parametrize(
    "value",
    [
        f"00-{'0' * 32}-00f067aa0ba902b7-01",  # all-zero trace id
        f"00-{TRACE_ID}-{'0' * 16}-01",  # all-zero parent id
        f"ff-{TRACE_ID}-00f067aa0ba902b7-01",  # a version never to be used
        f"00-{TRACE_ID.upper()}-00f067aa0ba902b7-01",  # hex must be lower case
        "00-xyz",
    ],
)
def test_an_invalid_traceparent_is_ignored(client, value):
    response = client.get("/healthz", headers={"traceparent": value})

    assert response[HEADER] != TRACE_ID
    assert NEW_ID.fullmatch(response[HEADER])


def test_the_client_id_wins_over_its_traceparent(client):
    response = client.get(
        "/healthz", headers={HEADER: "mine", "traceparent": TRACEPARENT}
    )

    assert response[HEADER] == "mine"


def test_with_tracing_on_the_id_is_the_request_trace_continued(spans):  # noqa: F811
    """The request span continues the client's trace; the id is its trace id."""
    from django.test import Client

    response = Client().get("/", headers={"traceparent": TRACEPARENT})

    (server,) = [span for span in spans.all() if span.parent is not None]
    assert response[HEADER] == TRACE_ID
    assert f"{server.context.trace_id:032x}" == TRACE_ID
    assert server.parent.span_id == int("00f067aa0ba902b7", 16)


def test_with_tracing_on_a_new_request_is_its_own_trace(spans):  # noqa: F811
    from django.test import Client

    response = Client().get("/")

    (server,) = spans.all()
    assert response[HEADER] == f"{server.context.trace_id:032x}"
    assert server.attributes["request.id"] == response[HEADER]
