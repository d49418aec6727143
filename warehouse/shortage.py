"""Remember, for a moment, the SKUs this process just found short of stock.

In a flash sale the last unit goes, and hundreds of buyers still arrive. A
hold that finds a SKU short notes it here; for the next moments a checkout
asking for that SKU is first checked against the shelf with one read, before
any transaction opens, and refused at once if it is still short. The read is
the truth (committed stock, right now): the note only says when it is worth
asking. Nothing is shared between processes, nor needs to be.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

# How long a shortage is worth checking first: long enough for a burst, short
# enough that a SKU back in stock costs a read for no longer than this.
REMEMBER_SECONDS = 2.0

_seen_short: dict[str, float] = {}


def shortage_note(skus: Iterable[str]) -> None:
    """Remember that ``skus`` were just found short."""
    now = time.monotonic()
    for sku in skus:
        _seen_short[sku] = now


def shortage_suspects(skus: Iterable[str]) -> list[str]:
    """Return those of ``skus`` found short a moment ago (forgetting older notes)."""
    now, suspects = time.monotonic(), []
    for sku in skus:
        seen = _seen_short.get(sku)
        if seen is None:
            continue
        if now - seen < REMEMBER_SECONDS:
            suspects.append(sku)
        else:
            _seen_short.pop(sku, None)
    return suspects


def shortage_forget(skus: Iterable[str]) -> None:
    """Forget ``skus``: they were found in stock again."""
    for sku in skus:
        _seen_short.pop(sku, None)
