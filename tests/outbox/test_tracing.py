"""A message keeps the trace it was written in; its relay and webhooks link to it."""

from __future__ import annotations

import pytest
from opentelemetry.trace import SpanKind

from observability.tracing import tracer
from outbox.models import OutboxMessage
from outbox.relay import outbox_relay
from tests.observability.traces import spans  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_untraced_a_message_stores_no_context_and_a_post_sends_none(
    emit, endpoint, receiver, clock
):
    message = emit()
    outbox_relay(now=clock.now)

    assert OutboxMessage.objects.get(pk=message.pk).trace_context == {}
    assert receiver.requests[0]["traceparent"] is None


def test_the_relay_links_to_the_span_that_wrote_the_message(
    emit,
    endpoint,
    receiver,
    clock,
    spans,  # noqa: F811
):
    with tracer().start_as_current_span("a saga step") as writer:
        emit()
    writer_id = writer.get_span_context().span_id

    outbox_relay(now=clock.now)

    relay = spans.one("outbox.relay order.paid")
    assert relay.kind is SpanKind.CONSUMER
    assert [link.context.span_id for link in relay.links] == [writer_id]
    post = spans.one("webhook POST")
    assert post.kind is SpanKind.CLIENT
    assert spans.parent_of(post) is relay
    assert [link.context.span_id for link in post.links] == [writer_id]


def test_a_webhook_post_sends_its_trace_context_to_the_receiver(
    emit,
    endpoint,
    receiver,
    clock,
    spans,  # noqa: F811
):
    emit()

    outbox_relay(now=clock.now)

    post = spans.one("webhook POST")
    _, trace_id, span_id, _ = receiver.requests[0]["traceparent"].split("-")
    assert (int(trace_id, 16), int(span_id, 16)) == (
        post.context.trace_id,
        post.context.span_id,
    )
    assert receiver.requests[0]["signature_error"] == ""  # still verifies
