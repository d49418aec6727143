"""message_emit(): outbox rows are written only inside the change's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from outbox.models import OutboxMessage
from outbox.services import message_emit

pytestmark = pytest.mark.django_db(transaction=True)


def test_message_emit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        message_emit(
            event_type="x.happened", aggregate_type="x", aggregate_id="1", payload={}
        )
    assert OutboxMessage.objects.count() == 0


def test_message_emit_rolls_back_with_its_transaction():
    with pytest.raises(ValueError), transaction.atomic():
        message_emit(
            event_type="x.happened", aggregate_type="x", aggregate_id="1", payload={}
        )
        raise ValueError("the change failed")
    assert OutboxMessage.objects.count() == 0


def test_message_emit_commits_with_its_transaction():
    with transaction.atomic():
        message = message_emit(
            event_type="x.happened",
            aggregate_type="x",
            aggregate_id="7",
            payload={"a": 1},
        )
    stored = OutboxMessage.objects.get()
    assert stored.message_id == message.message_id
    assert (stored.aggregate_id, stored.payload, stored.status) == (
        "7",
        {"a": 1},
        "pending",
    )
