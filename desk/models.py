"""What people at the customer service desk did to orders, one row per action."""

from __future__ import annotations

from django.db import models


class DeskAction(models.Model):
    """One customer service action on an order: who, when, what, why, how much.

    ``reference`` is what makes the action happen once: the one-time key of
    the form that asked for it (a refund, a resent message), or the reference
    of a refund made outside the system. A repeat with the same reference
    finds this row and does nothing more.
    """

    class Kind(models.TextChoices):
        REFUND = "refund", "Refund"
        EXTERNAL_REFUND = "external_refund", "Refund made outside recorded"
        RESEND = "resend", "Notification sent again"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="desk_actions"
    )
    actor = models.CharField(max_length=150)
    reason = models.TextField()
    amount_minor = models.PositiveBigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    reference = models.CharField(max_length=255)
    # What else the action needs to be read later: lines, channel, refund id.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "reference"], name="desk_one_action_per_reference"
            )
        ]
        # The desk's rights, apart from the reviewer's (sagas.review_sagarun).
        permissions = [
            ("refund_order", "Can refund a shipped order"),
            ("record_external_refund", "Can record a refund made outside"),
            ("resend_notification", "Can send a notification again"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of order {self.order_id} by {self.actor}"
