"""Decimal amounts to integer minor units and back, per currency exponent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.money import from_minor, to_minor


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("12.34"), "EUR", 1234),
        (Decimal("0.00"), "EUR", 0),
        (Decimal("1500"), "JPY", 1500),
        (Decimal("1.234"), "KWD", 1234),
    ],
)
def test_to_minor_uses_the_currency_exponent(amount, currency, minor):
    """EUR has cents, JPY has none, KWD has three decimals."""
    assert to_minor(amount, currency) == minor


def test_to_minor_refuses_an_amount_finer_than_the_currency():
    """Rounding money silently would let totals and charges disagree."""
    with pytest.raises(ValueError, match="more decimals"):
        to_minor(Decimal("12.345"), "EUR")


def test_from_minor_inverts_to_minor():
    """1234 cents are EUR 12.34, with two decimal places."""
    assert str(from_minor(1234, "EUR")) == "12.34"
    assert to_minor(from_minor(1234, "EUR"), "EUR") == 1234
