"""The relay task the after-commit trigger and the schedule run."""

from __future__ import annotations

import pytest

from outbox.models import OutboxMessage
from outbox.tasks import relay_outbox

pytestmark = pytest.mark.django_db


def test_the_relay_task_delivers_what_is_due(emit, recorder):
    message = emit()
    assert relay_outbox() == 1
    assert recorder.handled == [("1", message.pk)]
    assert OutboxMessage.objects.get().status == "delivered"
