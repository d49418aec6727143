"""The desk's services: each action happens once per reference, and is recorded."""

from __future__ import annotations

import pytest
from django.core import mail

from aftersales.exceptions import RefundTooLarge
from aftersales.services import refundable_minor
from desk.exceptions import NothingToResend
from desk.models import DeskAction
from desk.services import (
    desk_notification_resend,
    desk_refund,
    desk_refund_record_external,
)
from faults.exceptions import InjectedFault
from faults.services import fault_plan_set
from notifications.models import SentMessage
from payments.selectors import refunds_for

pytestmark = pytest.mark.django_db(transaction=True)

ACTOR = "admin:agent"


def refunded(order) -> list[int]:
    return [r.amount_minor for r in refunds_for(operation_id=order.operation_id)]


def test_a_partial_refund_by_amount_refunds_it_and_records_the_action(shipped):
    action = desk_refund(
        order=shipped,
        actor=ACTOR,
        reason="Late delivery",
        idempotency_key="k1",
        amount_minor=1000,
    )
    assert refunded(shipped) == [1000]
    assert refundable_minor(shipped) == 5250 - 1000
    assert (action.kind, action.amount_minor, action.actor, action.reason) == (
        "refund",
        1000,
        ACTOR,
        "Late delivery",
    )


def test_a_refund_repeated_with_its_key_refunds_once(shipped):
    for _ in range(2):
        desk_refund(
            order=shipped,
            actor=ACTOR,
            reason="r",
            idempotency_key="k1",
            lines=[("MUG-001", 1)],
        )
    assert refunded(shipped) == [1250]
    assert DeskAction.objects.count() == 1


def test_a_refund_over_what_is_refundable_is_refused_and_not_recorded(shipped):
    with pytest.raises(RefundTooLarge):
        desk_refund(
            order=shipped,
            actor=ACTOR,
            reason="r",
            idempotency_key="k",
            amount_minor=9999,
        )
    assert refunded(shipped) == []
    assert not DeskAction.objects.exists()


def test_an_outside_refund_is_recorded_once_with_its_reference(shipped):
    for _ in range(2):
        desk_refund_record_external(
            order=shipped,
            actor=ACTOR,
            amount_minor=500,
            reference="bank-transfer-77",
            reason="Refunded by phone",
        )
    assert refunded(shipped) == [500]
    action = DeskAction.objects.get()
    assert (action.kind, action.reference) == ("external_refund", "bank-transfer-77")


def test_a_resend_sends_the_shipped_message_once_per_key(shipped):
    before = SentMessage.objects.filter(channel="sms").count()
    for _ in range(2):
        desk_notification_resend(
            order=shipped,
            actor=ACTOR,
            channel="sms",
            reason="Lost",
            idempotency_key="k",
        )
    sms = SentMessage.objects.filter(channel="sms")
    assert sms.count() == before + 1
    assert sms.last().subject.endswith("has shipped")
    assert DeskAction.objects.get().detail["channel"] == "sms"


def test_a_resend_the_channel_refuses_records_nothing(shipped):
    fault_plan_set(
        operation_id=shipped.operation_id, plan={"notifications.email": "error"}
    )
    sent = len(mail.outbox)
    with pytest.raises(InjectedFault):
        desk_notification_resend(
            order=shipped, actor=ACTOR, channel="email", reason="r", idempotency_key="k"
        )
    assert len(mail.outbox) == sent
    assert not DeskAction.objects.exists()


def test_an_order_that_has_not_shipped_has_nothing_to_resend(checkout):
    order = checkout(faults={"shipping.create": "error"}).order
    with pytest.raises(NothingToResend):
        desk_notification_resend(
            order=order, actor=ACTOR, channel="email", reason="r", idempotency_key="k"
        )
    assert not DeskAction.objects.exists()
