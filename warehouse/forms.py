"""The forms of a person's stock changes: goods received, a count corrected."""

from __future__ import annotations

import uuid

from django import forms

REASON_HELP = "Kept on the stock movement, with your name."


class StockChangeForm(forms.Form):
    """A stock change with its reason and the one-time key of this form.

    The key is drawn when the form is shown: submitting the same form twice
    (a double click, a reload) repeats one operation, which changes stock once.
    """

    key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=REASON_HELP,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = f"stock:{uuid.uuid4().hex}"


class StockReceiveForm(StockChangeForm):
    """Units that arrived at the warehouse."""

    quantity = forms.IntegerField(min_value=1, label="Units received")
    field_order = ["quantity", "reason"]


class StockAdjustForm(StockChangeForm):
    """The units found on the shelf, which become the units on hand."""

    counted = forms.IntegerField(min_value=0, label="Units counted on hand")
    field_order = ["counted", "reason"]
