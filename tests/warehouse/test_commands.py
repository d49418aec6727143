"""``manage.py stock_receive`` and ``stock_adjust``: the services from a shell."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from warehouse.models import StockMovement

pytestmark = pytest.mark.django_db


def test_stock_receive_adds_the_units_with_the_reason(stock, item, capsys):
    stock(A=2)
    call_command("stock_receive", "A", "5", "--reason", "Supplier delivery")
    assert item("A").on_hand == 7
    movement = StockMovement.objects.get(reason="receipt")
    assert (movement.delta, movement.note, movement.actor) == (
        5,
        "Supplier delivery",
        "cli",
    )
    assert "A: received 5 units." in capsys.readouterr().out


def test_stock_adjust_sets_the_count(stock, item):
    stock(A=9)
    call_command("stock_adjust", "A", "6", "--reason", "Stocktake")
    assert item("A").on_hand == 6
    assert StockMovement.objects.get(reason="count").delta == -3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stock_receive", "NOPE", "5"], "no stock of 'NOPE'"),
        (["stock_receive", "A", "0"], "at least one unit"),
        (["stock_adjust", "A", "-1", "--reason", "x"], "zero or more"),
        (["stock_adjust", "NOPE", "1", "--reason", "x"], "no stock of 'NOPE'"),
    ],
)
def test_bad_input_is_a_command_error_and_changes_nothing(stock, item, args, message):
    stock(A=2)
    with pytest.raises(CommandError, match=message):
        call_command(*args)
    assert item("A").on_hand == 2
    assert StockMovement.objects.count() == 1  # the stock fixture's own


def test_stock_adjust_needs_a_reason(stock):
    stock(A=2)
    with pytest.raises(CommandError, match="--reason"):
        call_command("stock_adjust", "A", "1")
