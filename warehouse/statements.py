"""The warehouse's statements that the ORM cannot say in one round trip.

Each is a single statement where the ORM would need two or more: an INSERT
that checks availability as it inserts, an UPDATE that returns the rows it
changed, one ``executemany`` for a call's per-SKU stock changes. They run on
SQLite (3.35 or later, for ``RETURNING``) and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import connection
from django.utils import timezone

from warehouse.models import Reservation, StockItem


def _columns(model) -> dict[str, str]:
    quote = connection.ops.quote_name
    return {f.name: quote(f.column) for f in model._meta.concrete_fields}


def _when(value: datetime) -> object:
    # Raw SQL skips the field's conversion: store the time as the field would.
    return connection.ops.adapt_datetimefield_value(value)


def holds_insert_available(
    operation_id: str, wanted: Mapping[str, int], expires_at: datetime
) -> list[tuple[int, str]]:
    """Insert a pending hold per SKU that has the units; return (id, SKU) of each.

    ``INSERT ... SELECT`` from the stock rows: a SKU short of units (or with no
    stock row) inserts nothing, so the answer names the short SKUs without a
    second read. A hold this operation already has for a SKU is left alone
    (``ON CONFLICT DO NOTHING``): a repeat inserts nothing. The availability
    seen here is a first check only; the conditional stock UPDATE that follows
    (``stock_add``) is what guarantees nothing is oversold.
    """
    quote = connection.ops.quote_name
    r, s = _columns(Reservation), _columns(StockItem)
    values = ", ".join(["(%s, %s)"] * len(wanted))
    now = _when(timezone.now())
    sql = (
        f"INSERT INTO {quote(Reservation._meta.db_table)}"
        f" ({r['operation_id']}, {r['sku']}, {r['quantity']}, {r['status']},"
        f" {r['expires_at']}, {r['created_at']}, {r['updated_at']})"
        f" SELECT %s, s.{s['sku']}, w.column2, %s, %s, %s, %s"
        f" FROM {quote(StockItem._meta.db_table)} s, (VALUES {values}) w"
        f" WHERE s.{s['sku']} = w.column1"
        f" AND s.{s['on_hand']} - s.{s['reserved']} >= w.column2"
        f" ON CONFLICT ({r['operation_id']}, {r['sku']}) DO NOTHING"
        f" RETURNING {r['id']}, {r['sku']}"
    )
    params: list[object] = [
        operation_id,
        Reservation.Status.PENDING,
        _when(expires_at),
        now,
        now,
    ]
    for sku, quantity in wanted.items():
        params += [sku, quantity]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(cursor.fetchall(), key=lambda row: row[1])


def stock_add(
    deltas: Mapping[str, int],
    *,
    fields: tuple[str, ...],
    only_if_available: bool = False,
) -> int:
    """Add each SKU's delta to ``fields`` of its stock row; return the rows changed.

    With ``only_if_available``, a row changes only if it has ``delta`` units
    available. One ``executemany`` of a per-SKU UPDATE: psycopg 3 sends it in one
    round trip (pipeline mode) and runs the statements in list order, so the rows
    are locked in SKU order and two callers cannot deadlock. One UPDATE of all
    the SKUs (``WHERE sku IN``) would lock them in whatever order its scan takes.
    """
    if not deltas:
        return 0  # Even an empty executemany is logged and counted as a query.
    quote = connection.ops.quote_name
    column = _columns(StockItem)
    changes = [f"{column[name]} = {column[name]} + %s" for name in fields]
    sql = (
        f"UPDATE {quote(StockItem._meta.db_table)}"
        f" SET {', '.join(changes)}, {column['updated_at']} = %s"
        f" WHERE {column['sku']} = %s"
    )
    if only_if_available:
        sql += f" AND {column['on_hand']} - {column['reserved']} >= %s"
    now = _when(timezone.now())
    params = []
    for sku, delta in sorted(deltas.items()):
        row = [*[delta] * len(fields), now, sku]
        params.append([*row, delta] if only_if_available else row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return cursor.rowcount  # Summed over the statements, in both drivers.


def holds_move(
    operation_id: str, *, from_status: str, to_status: str
) -> list[tuple[str, int]]:
    """Move the operation's holds from one status to another; return (sku, units).

    One ``UPDATE ... RETURNING``: the ORM has no UPDATE that returns rows.
    An operation's holds move together; a release running at the same time
    (it locks the rows) either comes first, and this finds nothing to move, or
    waits and finds them moved.
    """
    quote = connection.ops.quote_name
    column = _columns(Reservation)
    sql = (
        f"UPDATE {quote(Reservation._meta.db_table)}"
        f" SET {column['status']} = %s, {column['updated_at']} = %s"
        f" WHERE {column['operation_id']} = %s AND {column['status']} = %s"
        f" RETURNING {column['sku']}, {column['quantity']}"
    )
    params = [to_status, _when(timezone.now()), operation_id, from_status]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(cursor.fetchall())
