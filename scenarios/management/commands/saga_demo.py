"""``manage.py saga_demo [SCENARIO]``: watch one idea of the checkout happen.

Each scenario runs on a throwaway SQLite database of its own (never yours),
with the real services and the real engine, and prints a live timeline: steps
as they start and end, retries with their delays, reconcile answers,
compensations in reverse, takeovers, the final order states and the audit.
Colour and a progress line on a terminal, plain lines when piped, one JSON
document with ``--json``. The exit status is 0 when the scenario showed what it
promises, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from scenarios.registry import SCENARIOS, scenario_get
from scenarios.sandbox import sandbox_check, sandbox_prepare, sandbox_run
from scenarios.stage import Demo
from scenarios.terminal import renderer_for


class Command(BaseCommand):
    help = "Run a scenario of the checkout saga on a throwaway database."
    # The outer command opens no database; the inner one migrates its own.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "scenario",
            nargs="?",
            default="happy",
            help="the scenario to run (default: happy; --list names them all)",
        )
        parser.add_argument("--list", action="store_true", help="name the scenarios")
        parser.add_argument("--json", action="store_true", help="print JSON")
        # Set by the command itself when it starts again on its own database.
        parser.add_argument("--sandbox", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        try:
            scenario = scenario_get(options["scenario"])
        except KeyError:
            known = ", ".join(s.name for s in SCENARIOS)
            raise CommandError(
                f"No scenario {options['scenario']!r}. Known: {known}."
            ) from None
        if options["sandbox"] is None:
            arguments = [scenario.name] + (["--json"] if options["json"] else [])
            sys.exit(sandbox_run(arguments, environment=scenario.environment))
        sandbox_check(options["sandbox"])
        sandbox_prepare()
        renderer = renderer_for(
            self.stdout._out, as_json=options["json"], title=scenario.name
        )
        demo = Demo(scenario=scenario, renderer=renderer)
        demo.section(f"{scenario.title}: {scenario.summary}")
        demo.note(f"explained in {scenario.chapter}")
        import_string(scenario.play)(demo)
        summary = demo.summary()
        renderer.close(summary)
        sys.exit(0 if summary["ok"] else 1)

    def _list(self) -> None:
        width = max(len(s.name) for s in SCENARIOS)
        for scenario in SCENARIOS:
            self.stdout.write(f"{scenario.name:<{width}}  {scenario.summary}")
