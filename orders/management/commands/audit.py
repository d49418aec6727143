"""manage.py audit: check money, stock, shipments and histories; exit 1 if off."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from orders.audit import audit_run


class Command(BaseCommand):
    help = "Reconcile orders, payments, stock and shipments; exit 1 on any finding."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, json: bool = False, **options) -> None:
        report = audit_run()
        if json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            self._print(report)
        if not report.ok:
            sys.exit(1)

    def _print(self, report) -> None:
        self.stdout.write(f"Checked {report.orders_checked} orders.")
        if report.under_review:
            self.stdout.write(
                f"{len(report.under_review)} awaiting manual review (not audited): "
                + ", ".join(report.under_review)
            )
        for finding in report.findings:
            self.stdout.write(self.style.ERROR(str(finding)))
        if report.ok:
            self.stdout.write(self.style.SUCCESS("Audit passed: everything agrees."))
        else:
            self.stdout.write(f"Audit failed: {len(report.findings)} finding(s).")


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=2)
