"""The forms of a person's stock changes: goods received, a count corrected."""

from __future__ import annotations

from django import forms

from readonly_admin.operator import OneTimeKeyForm

REASON_HELP = "Kept on the stock movement, with your name."


class StockChangeForm(OneTimeKeyForm):
    """A stock change with its reason; its one-time key makes a repeat do nothing."""

    key_prefix = "stock"
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=REASON_HELP,
    )


class StockReceiveForm(StockChangeForm):
    """Units that arrived at the warehouse."""

    quantity = forms.IntegerField(min_value=1, label="Units received")
    field_order = ["quantity", "reason"]


class StockAdjustForm(StockChangeForm):
    """The units found on the shelf, which become the units on hand."""

    counted = forms.IntegerField(min_value=0, label="Units counted on hand")
    field_order = ["counted", "reason"]
