"""Claim a unique row with one INSERT: the unique constraint decides who wins.

``get_or_create`` reads first and then inserts inside a transaction: four round
trips on the usual path, where nothing is there yet. Inserting first makes that
path one statement, and a concurrent twin still loses cleanly on the constraint.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

ModelT = TypeVar("ModelT", bound=models.Model)


def row_claim(
    model: type[ModelT], *, lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[ModelT, bool]:
    """Insert the row that ``lookup`` identifies; return it and whether we made it.

    ``lookup`` must name a unique constraint. If the row exists, it is returned
    unchanged with False. A savepoint is taken only inside a caller's
    transaction, where a failed INSERT would otherwise abort it.
    """
    in_transaction = transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic() if in_transaction else nullcontext():
            return model.objects.create(**lookup, **values), True
    except IntegrityError:
        existing = model.objects.filter(**lookup).first()
        if existing is None:
            raise  # Another constraint failed: not a lost race.
        return existing, False
