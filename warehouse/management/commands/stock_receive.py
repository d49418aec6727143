"""Receive goods into stock from the command line: ``stock_receive SKU N``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from problems.errors import ApplicationError
from warehouse.services import stock_receive

DEFAULT_REASON = "Goods received"


class Command(BaseCommand):
    help = "Add N received units to a SKU's stock, recorded as a stock movement."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sku")
        parser.add_argument("quantity", type=int)
        parser.add_argument("--reason", default=DEFAULT_REASON)
        parser.add_argument("--actor", default="cli", help="who received the goods")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            movement = stock_receive(
                sku=options["sku"],
                quantity=options["quantity"],
                reason=options["reason"],
                actor=options["actor"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{movement.sku}: received {movement.delta} units.")
