"""Convert between decimal amounts and integer minor units (cents) per currency."""

from __future__ import annotations

from decimal import Decimal

# ISO 4217 exponents that differ from the usual two decimal places.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "ISK", "JPY", "KRW", "PYG", "UGX", "VND"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def currency_exponent(currency: str) -> int:
    """Return how many decimal places ``currency`` has (2 unless ISO 4217 says so)."""
    return _EXPONENTS.get(currency.upper(), 2)


def to_minor(amount: Decimal, currency: str) -> int:
    """Return ``amount`` in the minor units of ``currency`` (EUR 12.34 -> 1234).

    Raises ValueError for an amount finer than the currency allows: rounding money
    silently would make totals and charges disagree.
    """
    minor = Decimal(amount).scaleb(currency_exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency} allows.")
    return int(minor)


def from_minor(minor: int, currency: str) -> Decimal:
    """Return ``minor`` units of ``currency`` as a decimal amount (1234 -> 12.34)."""
    exponent = currency_exponent(currency)
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))
