"""In-process handlers: who consumes what, and the inbox that makes them idempotent."""

from __future__ import annotations

import pytest

from outbox.handlers import handlers_for, handlers_run, register_handler
from outbox.models import InboxMessage, OutboxMessage

pytestmark = pytest.mark.django_db


def noop(message) -> None:
    pass


def test_a_handler_consumes_its_event_type_and_a_star_handler_every_type():
    register_handler("order.paid", noop, "paid-only")
    register_handler("*", noop, "everything")
    assert [r.name for r in handlers_for("order.paid")] == ["everything", "paid-only"]
    assert [r.name for r in handlers_for("order.shipped")] == ["everything"]


def test_registering_a_name_again_replaces_the_handler():
    register_handler("order.paid", noop, "consumer")
    register_handler("order.shipped", noop, "consumer")
    assert handlers_for("order.paid") == []
    assert [r.event_type for r in handlers_for("order.shipped")] == ["order.shipped"]


def test_a_message_handled_twice_has_one_effect(emit, receipts):
    message = emit()
    assert handlers_run(message) == []
    assert handlers_run(message) == []
    assert receipts() == 1
    assert InboxMessage.objects.filter(consumer="receipts").count() == 1


def test_a_failing_handler_rolls_back_its_effect_and_its_inbox_row(emit):
    def half_done(message) -> None:
        emit("receipt.sent", message.aggregate_id)  # the effect, then a failure
        raise RuntimeError("printer on fire")

    register_handler("order.paid", half_done, "half-done")
    message = emit()
    errors = handlers_run(message)
    assert errors == ["half-done: RuntimeError('printer on fire')"]
    assert InboxMessage.objects.count() == 0
    assert not OutboxMessage.objects.filter(event_type="receipt.sent").exists()


def test_a_failing_handler_does_not_stop_the_others(emit, recorder):
    def broken(message) -> None:
        raise RuntimeError("broken")

    register_handler("*", broken, "a-broken")
    message = emit()
    assert len(handlers_run(message)) == 1
    assert recorder.handled == [("1", message.pk)]
    assert list(InboxMessage.objects.values_list("consumer", flat=True)) == ["recorder"]
