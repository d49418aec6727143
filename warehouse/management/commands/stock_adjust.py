"""Correct a SKU's count from the command line: ``stock_adjust SKU N --reason``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from problems.errors import ApplicationError
from warehouse.services import stock_adjust


class Command(BaseCommand):
    help = "Set a SKU's units on hand to the N counted, recorded as a stock movement."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sku")
        parser.add_argument("counted", type=int, help="units found on the shelf")
        parser.add_argument("--reason", required=True, help="why the count differs")
        parser.add_argument("--actor", default="cli", help="who counted")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            movement = stock_adjust(
                sku=options["sku"],
                counted=options["counted"],
                reason=options["reason"],
                actor=options["actor"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if movement is None:
            self.stdout.write(f"{options['sku']}: the count matches; nothing changed.")
        else:
            self.stdout.write(
                f"{movement.sku}: {movement.delta:+d} units, now {options['counted']}."
            )
