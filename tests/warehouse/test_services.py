"""Warehouse services: holds, confirmations, releases, shipping and seeding."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from warehouse.exceptions import (
    HoldNotConfirmed,
    HoldNotFound,
    InvalidHold,
    InvalidStockLevel,
    OutOfStock,
)
from warehouse.models import Reservation, StockItem, StockMovement
from warehouse.services import (
    stock_confirm,
    stock_hold,
    stock_release,
    stock_set,
    stock_ship,
)

pytestmark = pytest.mark.django_db

OP = "op-1"


def statuses(operation_id: str = OP) -> dict[str, str]:
    return dict(
        Reservation.objects.filter(operation_id=operation_id).values_list(
            "sku", "status"
        )
    )


def movements(sku: str) -> list[tuple[int, str]]:
    return list(StockMovement.objects.filter(sku=sku).values_list("delta", "reason"))


# --- stock_set ----------------------------------------------------------------------


def test_stock_set_records_the_initial_stock_as_a_movement(item):
    stock_set(sku="A", on_hand=5)
    assert (item("A").on_hand, item("A").reserved) == (5, 0)
    assert movements("A") == [(5, "adjustment")]


def test_stock_set_records_only_the_difference_and_is_idempotent(item):
    stock_set(sku="A", on_hand=5)
    stock_set(sku="A", on_hand=3)
    stock_set(sku="A", on_hand=3)
    assert item("A").on_hand == 3
    assert movements("A") == [(5, "adjustment"), (-2, "adjustment")]


def test_stock_set_refuses_to_go_below_what_is_reserved(stock, item):
    stock(A=5)
    stock_hold(operation_id=OP, lines=[("A", 4)])
    with pytest.raises(InvalidStockLevel):
        stock_set(sku="A", on_hand=3)
    assert item("A").on_hand == 5


def test_stock_set_refuses_a_negative_level():
    with pytest.raises(InvalidStockLevel):
        stock_set(sku="A", on_hand=-1)


# --- stock_hold ---------------------------------------------------------------------


def test_stock_hold_reserves_every_line_as_pending(stock, item):
    stock(A=5, B=2)
    held = stock_hold(operation_id=OP, lines=[("B", 2), ("A", 3)])
    assert [(r.sku, r.quantity, r.status) for r in held] == [
        ("A", 3, "pending"),
        ("B", 2, "pending"),
    ]
    assert (item("A").reserved, item("B").reserved) == (3, 2)
    assert (item("A").on_hand, item("B").on_hand) == (5, 2)


def test_stock_hold_expires_after_the_ttl_setting(stock, settings):
    settings.STOCK_HOLD_TTL_SECONDS = 60
    stock(A=5)
    before = timezone.now()
    (held,) = stock_hold(operation_id=OP, lines=[("A", 1)])
    assert before + timedelta(seconds=60) <= held.expires_at
    assert held.expires_at <= timezone.now() + timedelta(seconds=60)


def test_stock_hold_accepts_dict_lines_and_adds_up_repeated_skus(stock, item):
    stock(A=5)
    stock_hold(
        operation_id=OP,
        lines=[{"sku": "A", "quantity": 1}, {"sku": "A", "quantity": 2}],
    )
    assert Reservation.objects.get().quantity == 3
    assert item("A").reserved == 3


def test_stock_hold_repeated_returns_the_same_holds_without_reserving_twice(
    stock, item
):
    stock(A=5)
    first = stock_hold(operation_id=OP, lines=[("A", 2)])
    again = stock_hold(operation_id=OP, lines=[("A", 2)])
    assert [r.pk for r in again] == [r.pk for r in first]
    assert item("A").reserved == 2
    assert Reservation.objects.count() == 1


def test_stock_hold_repeated_for_several_skus_changes_no_stock(stock):
    stock(A=5, B=5)
    first = stock_hold(operation_id=OP, lines=[("A", 2), ("B", 1)])
    before = list(StockItem.objects.values_list("sku", "on_hand", "reserved"))
    again = stock_hold(operation_id=OP, lines=[("A", 2), ("B", 1)])
    assert [(r.pk, r.sku, r.quantity, r.status) for r in again] == [
        (r.pk, r.sku, r.quantity, r.status) for r in first
    ]
    assert list(StockItem.objects.values_list("sku", "on_hand", "reserved")) == before


@pytest.mark.django_db(transaction=True)
def test_stock_hold_repeated_with_a_sku_more_is_refused_and_holds_nothing_more(
    stock, item
):
    """Only a repeat that the first call's reservations cover is answered."""
    stock(A=5, B=5)
    stock_hold(operation_id=OP, lines=[("A", 1)])
    with pytest.raises(InvalidHold):
        stock_hold(operation_id=OP, lines=[("A", 1), ("B", 1)])
    assert statuses() == {"A": "pending"}
    assert (item("A").reserved, item("B").reserved) == (1, 0)


def test_stock_hold_stamps_the_stock_rows_it_changes(stock, item):
    stock(A=5)
    before = timezone.now()
    stock_hold(operation_id=OP, lines=[("A", 1)])
    assert before <= item("A").updated_at <= timezone.now()


# A refused hold rolls its transaction back (it takes no savepoint inside a
# caller's): these tests let each call be a real transaction of its own.
@pytest.mark.django_db(transaction=True)
def test_stock_hold_is_all_or_nothing_when_one_sku_is_short(stock, item):
    stock(A=5, B=1, C=5)
    with pytest.raises(OutOfStock) as raised:
        stock_hold(operation_id=OP, lines=[("A", 2), ("B", 2), ("C", 1)])
    assert (raised.value.code, raised.value.status) == ("out_of_stock", 409)
    assert raised.value.extra["skus"] == ["B"]
    assert not Reservation.objects.exists()
    assert [item(sku).reserved for sku in "ABC"] == [0, 0, 0]


def test_stock_hold_names_every_short_sku(stock):
    stock(A=1, B=1)
    with pytest.raises(OutOfStock) as raised:
        stock_hold(operation_id=OP, lines=[("A", 2), ("B", 2)])
    assert raised.value.skus == ["A", "B"]


@pytest.mark.django_db(transaction=True)
def test_stock_hold_short_on_two_of_three_skus_names_both_and_holds_nothing(
    stock, item
):
    """A SKU held with fewer units left than it took is not named short."""
    stock(A=3, B=1, C=1)
    with pytest.raises(OutOfStock) as raised:
        stock_hold(operation_id=OP, lines=[("A", 2), ("B", 2), ("C", 2)])
    assert raised.value.skus == ["B", "C"]
    assert not Reservation.objects.exists()
    assert [item(sku).reserved for sku in "ABC"] == [0, 0, 0]


def test_stock_hold_of_an_unknown_sku_is_out_of_stock(stock):
    with pytest.raises(OutOfStock) as raised:
        stock_hold(operation_id=OP, lines=[("NOPE", 1)])
    assert raised.value.skus == ["NOPE"]


def test_stock_hold_counts_other_operations_holds(stock):
    stock(A=3)
    stock_hold(operation_id="other", lines=[("A", 2)])
    with pytest.raises(OutOfStock):
        stock_hold(operation_id=OP, lines=[("A", 2)])


@pytest.mark.parametrize(
    "lines", [[], [("A", 0)], [("A", -1)], [("", 1)], [{"sku": "A"}], [("A", True)]]
)
def test_stock_hold_refuses_invalid_lines(stock, lines):
    stock(A=5)
    with pytest.raises(InvalidHold):
        stock_hold(operation_id=OP, lines=lines)
    assert not Reservation.objects.exists()


# --- stock_confirm ------------------------------------------------------------------


def test_stock_confirm_turns_pending_holds_into_confirmed_ones(stock, item):
    stock(A=5, B=5)
    stock_hold(operation_id=OP, lines=[("A", 1), ("B", 1)])
    stock_confirm(operation_id=OP)
    assert statuses() == {"A": "confirmed", "B": "confirmed"}
    assert item("A").reserved == 1


def test_stock_confirm_answers_with_the_skus_it_confirmed(stock):
    stock(A=5, B=5)
    stock_hold(operation_id=OP, lines=[("B", 1), ("A", 2)])
    held_at = Reservation.objects.get(sku="A").updated_at

    assert stock_confirm(operation_id=OP) == ["A", "B"]
    # Written by raw SQL, read back by the field: a later, aware timestamp.
    assert Reservation.objects.get(sku="A").updated_at > held_at


def test_stock_confirm_answers_the_same_without_update_returning(stock, monkeypatch):
    """A database without UPDATE ... RETURNING: the same answer, one read more."""
    stock(A=5, B=5)
    stock_hold(operation_id=OP, lines=[("B", 1), ("A", 2)])
    # Only around the confirmation: Django's INSERTs rely on the real flag.
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)

    assert stock_confirm(operation_id=OP) == ["A", "B"]
    assert stock_confirm(operation_id=OP) == []
    monkeypatch.undo()
    assert statuses() == {"A": "confirmed", "B": "confirmed"}


def test_stock_confirm_repeated_changes_nothing(stock, item):
    stock(A=5)
    stock_hold(operation_id=OP, lines=[("A", 1)])
    assert stock_confirm(operation_id=OP) == ["A"]
    assert stock_confirm(operation_id=OP) == []
    assert statuses() == {"A": "confirmed"}
    assert item("A").reserved == 1


def test_stock_confirm_without_a_hold_is_refused():
    with pytest.raises(HoldNotFound) as raised:
        stock_confirm(operation_id=OP)
    assert raised.value.code == "hold_not_found"


def test_stock_confirm_of_a_released_hold_is_refused(stock):
    stock(A=5)
    stock_hold(operation_id=OP, lines=[("A", 1)])
    stock_release(operation_id=OP)
    with pytest.raises(HoldNotFound):
        stock_confirm(operation_id=OP)
    assert statuses() == {"A": "released"}


# --- stock_release ------------------------------------------------------------------


@pytest.mark.parametrize("confirm", [False, True], ids=["pending", "confirmed"])
def test_stock_release_gives_the_units_back(stock, item, confirm):
    stock(A=5)
    stock_hold(operation_id=OP, lines=[("A", 2)])
    if confirm:
        stock_confirm(operation_id=OP)
    stock_release(operation_id=OP)
    assert statuses() == {"A": "released"}
    assert (item("A").on_hand, item("A").reserved) == (5, 0)


def test_stock_release_repeated_is_a_no_op(stock, item):
    stock(A=5)
    stock_hold(operation_id=OP, lines=[("A", 2)])
    stock_hold(operation_id="other", lines=[("A", 1)])
    stock_release(operation_id=OP)
    stock_release(operation_id=OP)
    assert item("A").reserved == 1


def test_stock_release_of_an_operation_without_holds_does_nothing():
    assert stock_release(operation_id=OP) == []


def test_stock_release_leaves_shipped_units_shipped(stock, item):
    stock(A=5)
    stock_hold(operation_id=OP, lines=[("A", 2)])
    stock_confirm(operation_id=OP)
    stock_ship(operation_id=OP)
    stock_release(operation_id=OP)
    assert statuses() == {"A": "shipped"}
    assert (item("A").on_hand, item("A").reserved) == (3, 0)


# --- stock_ship ---------------------------------------------------------------------


def test_stock_ship_takes_confirmed_units_out_of_stock_with_a_movement(stock, item):
    stock(A=5)
    stock_hold(operation_id=OP, lines=[("A", 2)])
    stock_confirm(operation_id=OP)
    stock_ship(operation_id=OP)
    assert statuses() == {"A": "shipped"}
    assert (item("A").on_hand, item("A").reserved) == (3, 0)
    assert movements("A") == [(5, "adjustment"), (-2, "shipment")]
    assert StockMovement.objects.last().operation_id == OP


def test_stock_ship_repeated_ships_once(stock, item):
    stock(A=5)
    stock_hold(operation_id=OP, lines=[("A", 2)])
    stock_confirm(operation_id=OP)
    stock_ship(operation_id=OP)
    stock_ship(operation_id=OP)
    assert item("A").on_hand == 3
    assert StockMovement.objects.filter(reason="shipment").count() == 1


def test_stock_ship_refuses_pending_holds(stock, item):
    stock(A=5)
    stock_hold(operation_id=OP, lines=[("A", 2)])
    with pytest.raises(HoldNotConfirmed):
        stock_ship(operation_id=OP)
    assert (item("A").on_hand, statuses()) == (5, {"A": "pending"})


def test_stock_ship_refuses_an_operation_without_confirmed_holds():
    with pytest.raises(HoldNotFound):
        stock_ship(operation_id=OP)
