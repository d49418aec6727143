"""``manage.py saga_recover``: run the recovery sweeper once."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sagas.services import saga_recover


class Command(BaseCommand):
    help = "Resume saga runs whose worker died (their lease expired)."

    def handle(self, *args, **options) -> None:
        count = saga_recover()
        self.stdout.write(f"Resumed {count} saga run(s).")
