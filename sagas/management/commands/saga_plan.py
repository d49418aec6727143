"""``manage.py saga_plan <name>``: print a saga's recovery plan as Markdown."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from sagas.exceptions import SagaNotFound
from sagas.plan import plan_markdown
from sagas.registry import get_saga, registered_sagas


class Command(BaseCommand):
    help = "Print the recovery plan of a saga, drawn from its definition."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="the saga's registered name")

    def handle(self, *args, **options) -> None:
        try:
            saga = get_saga(options["name"])
        except SagaNotFound as exc:
            known = ", ".join(s.name for s in registered_sagas()) or "none"
            raise CommandError(f"{exc.message} Registered: {known}.") from exc
        self.stdout.write(plan_markdown(saga))
