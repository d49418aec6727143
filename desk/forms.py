"""The desk's forms: a refund (all, an amount, lines), an outside refund, a resend."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from notifications.channels import CHANNELS
from orders.models import Order
from orders.money import from_minor, to_minor
from readonly_admin.operator import OneTimeKeyForm

REASON_HELP = "Kept in the order's timeline and the desk's log, with your name."
AMOUNT_NEEDED = "Give the amount to refund."
LINES_NEEDED = "Choose at least one unit to refund."
TOO_MUCH = "At most {limit} {currency} can be refunded."
TOO_PRECISE = "{currency} has no such fraction."


def _reason() -> forms.CharField:
    return forms.CharField(
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=REASON_HELP,
    )


class _AmountForm(forms.Form):
    """A form with an amount of the order's money, at most what is refundable."""

    def __init__(self, *args: Any, order: Order, refundable_minor: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.order, self.refundable_minor = order, refundable_minor
        limit = from_minor(refundable_minor, order.currency)
        self.fields["amount"].help_text = f"At most {limit} {order.currency}."

    def _amount_minor(self, amount: Decimal) -> int | None:
        """Return ``amount`` in minor units, or None after adding its error."""
        currency = self.order.currency
        try:
            minor = to_minor(amount, currency)
        except ValueError:
            self.add_error("amount", TOO_PRECISE.format(currency=currency))
            return None
        if minor > self.refundable_minor:
            limit = from_minor(self.refundable_minor, currency)
            self.add_error("amount", TOO_MUCH.format(limit=limit, currency=currency))
            return None
        return minor


class RefundForm(OneTimeKeyForm, _AmountForm):
    """Refund all that is refundable, an amount, or chosen units of the lines."""

    ALL, AMOUNT, LINES = "all", "amount", "lines"
    key_prefix = "desk-refund"
    how = forms.ChoiceField(
        choices=[
            (ALL, "Everything still refundable"),
            (AMOUNT, "An amount"),
            (LINES, "Units of the lines below"),
        ],
        widget=forms.RadioSelect,
        initial=ALL,
    )
    amount = forms.DecimalField(min_value=Decimal("0.01"), required=False)
    reason = _reason()

    def __init__(self, *args: Any, order: Order, refundable_minor: int, **kwargs: Any):
        super().__init__(
            *args, order=order, refundable_minor=refundable_minor, **kwargs
        )
        for line in order.line_rows:
            self.fields[f"qty_{line.sku}"] = forms.IntegerField(
                label=f"{line.name} ({line.sku}, {line.unit_price} each)",
                min_value=0,
                max_value=line.quantity,
                initial=0,
                required=False,
            )
        self.order_fields(["how", "amount", *self._line_fields(), "reason"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        how = cleaned.get("how")
        cleaned["amount_minor"], cleaned["lines"] = None, None
        if how == self.AMOUNT:
            if cleaned.get("amount") is None:
                self.add_error("amount", AMOUNT_NEEDED)
            else:
                cleaned["amount_minor"] = self._amount_minor(cleaned["amount"])
        elif how == self.LINES:
            lines = [
                (name.removeprefix("qty_"), cleaned[name])
                for name in self._line_fields()
                if cleaned.get(name)
            ]
            if not lines:
                self.add_error(None, LINES_NEEDED)
            cleaned["lines"] = lines
        return cleaned

    def _line_fields(self) -> list[str]:
        return [name for name in self.fields if name.startswith("qty_")]


class ExternalRefundForm(_AmountForm):
    """A refund someone made outside: at the processor's dashboard, by transfer."""

    amount = forms.DecimalField(min_value=Decimal("0.01"))
    reference = forms.CharField(
        max_length=100,
        help_text="The processor's refund id, or the transfer's reference.",
    )
    reason = _reason()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("amount") is not None:
            cleaned["amount_minor"] = self._amount_minor(cleaned["amount"])
        return cleaned


class ResendForm(OneTimeKeyForm):
    """Send the order's "shipped" message again by one channel."""

    key_prefix = "desk-resend"
    channel = forms.ChoiceField(choices=[(name, name) for name in CHANNELS])
    reason = _reason()
