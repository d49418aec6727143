"""Forms of the demo storefront: what to buy, how to pay, which faults to inject."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from faults.modes import FAULT_POINTS
from orders.serializers import max_quantity

PAYMENT_TOKENS = [
    ("tok_visa", "Visa test card (approved)"),
    ("tok_chargeDeclined", "Declined test card"),
]

ADDRESS_FIELDS = ("name", "line1", "city", "postal_code", "country", "phone")

FAULT_CHOICES = [
    ("", "works"),
    ("error", "error: fails every time, before any effect"),
    ("transient", "transient: fails once, then works"),
    ("transient:3", "transient:3: fails three times, then works"),
    ("timeout", "timeout: works, but the answer is lost"),
    ("latency:1500", "latency: works after 1.5 s"),
    ("crash", "crash: works, then the worker dies"),
]


class CheckoutForm(forms.Form):
    """One order: a quantity per product, a test card and a shipping address.

    The hidden idempotency key is minted when the page is shown, so a double
    click or a browser retry of the same form starts one checkout, not two.
    """

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255)
    payment_token = forms.ChoiceField(choices=PAYMENT_TOKENS, initial="tok_visa")
    name = forms.CharField(max_length=100, initial="Ada Lovelace")
    line1 = forms.CharField(label="Street", max_length=200, initial="12 Analytical Row")
    city = forms.CharField(max_length=100, initial="London")
    postal_code = forms.CharField(max_length=20, initial="N1 9GU")
    country = forms.CharField(max_length=2, min_length=2, initial="GB")
    phone = forms.CharField(max_length=30, required=False, initial="+447700900123")

    def __init__(self, *args: Any, products: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = products
        self.fields["idempotency_key"].initial = uuid.uuid4().hex
        for product in products:
            self.fields[f"qty_{product.sku}"] = forms.IntegerField(
                label=product.name, min_value=0, max_value=max_quantity(), initial=0
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.lines():
            raise forms.ValidationError("Choose at least one product.")
        return cleaned

    def product_fields(self) -> list[tuple[Any, forms.BoundField]]:
        """Return each product with its quantity field, for the product table."""
        return [(product, self[f"qty_{product.sku}"]) for product in self.products]

    def detail_fields(self) -> list[forms.BoundField]:
        """Return the payment and address fields."""
        return [self[name] for name in ("payment_token", *ADDRESS_FIELDS)]

    def lines(self) -> list[dict[str, Any]]:
        """Return the chosen products as order lines."""
        return [
            {"sku": product.sku, "quantity": quantity}
            for product in self.products
            if (quantity := self.cleaned_data.get(f"qty_{product.sku}"))
        ]

    def shipping_address(self) -> dict[str, str]:
        """Return the address fields as the order stores them."""
        return {field: self.cleaned_data[field] for field in ADDRESS_FIELDS}


class FaultPlanForm(forms.Form):
    """The failure lab: a mode per fault point of the simulated services.

    ``points`` narrows it (a return's form offers the return saga's points).
    """

    def __init__(
        self, *args: Any, points: tuple[str, ...] = FAULT_POINTS, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for point in points:
            self.fields[point] = forms.ChoiceField(
                choices=FAULT_CHOICES, required=False, label=point
            )

    def plan(self) -> dict[str, str]:
        """Return the chosen faults as a plan ``{point: mode}``."""
        return {point: mode for point, mode in self.cleaned_data.items() if mode}


class ReturnForm(forms.Form):
    """Units of a shipped order to send back, and why.

    As the checkout form, it carries an idempotency key minted when the page
    is shown: a double submit makes one return.
    """

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255)
    reason = forms.CharField(max_length=500, required=False, initial="Does not fit")

    def __init__(self, *args: Any, returnable: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.returnable = returnable
        self.fields["idempotency_key"].initial = uuid.uuid4().hex
        for sku, units in returnable.items():
            self.fields[f"ret_{sku}"] = forms.IntegerField(
                label=sku, min_value=0, max_value=units, initial=0
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not self.lines():
            raise forms.ValidationError("Choose at least one unit to return.")
        return cleaned

    def line_fields(self) -> list[forms.BoundField]:
        """Return the quantity field of each returnable SKU."""
        return [self[f"ret_{sku}"] for sku in self.returnable]

    def lines(self) -> list[dict[str, Any]]:
        """Return the chosen units as return lines."""
        return [
            {"sku": sku, "quantity": quantity}
            for sku in self.returnable
            if (quantity := self.cleaned_data.get(f"ret_{sku}"))
        ]
