"""Claim a unique row with one INSERT: the unique constraint decides who wins.

``get_or_create`` reads first and then inserts inside a transaction: four round
trips on the usual path, where nothing is there yet. Inserting first makes that
path one statement, and a concurrent twin still loses cleanly on the constraint.
``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike) lets the loser's
INSERT simply insert nothing, so no savepoint is needed inside a caller's
transaction, and a lost race never aborts it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, connection, models

ModelT = TypeVar("ModelT", bound=models.Model)


def row_claim(
    model: type[ModelT], *, lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[ModelT, bool]:
    """Insert the row that ``lookup`` identifies; return it and whether we made it.

    ``lookup`` must name a unique constraint. If the row exists, it is returned
    unchanged with False (one more query, on that path only).
    """
    obj = model(**lookup, **values)
    if _insert_unless_taken(obj):
        return obj, True
    existing = model.objects.filter(**lookup).first()
    if existing is None:
        # The INSERT hit another unique constraint: not a lost race.
        raise IntegrityError(f"{model.__name__} {lookup!r} conflicts with another row.")
    return existing, False


def _insert_unless_taken(obj: models.Model) -> bool:
    """INSERT ``obj`` unless a unique constraint says no; return whether it went in.

    Hand-written: Django's ``bulk_create(ignore_conflicts=True)`` does not say
    whether the row was inserted.
    """
    meta = obj._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not (f.primary_key and f.db_returning)]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    pk = meta.pk
    sql = (
        f"INSERT INTO {quote(meta.db_table)}"
        f" ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT DO NOTHING RETURNING {quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    if pk.db_returning:
        setattr(obj, pk.attname, row[0])
    obj._state.adding, obj._state.db = False, connection.alias
    return True
