"""Read the figures that /metrics reports as gauges, straight from the database."""

from __future__ import annotations

from django.db.models import Count

from sagas.api import SagaRun, registered_sagas


def saga_run_counts() -> dict[tuple[str, str], int]:
    """Return the number of runs per (saga, status), zero for every known pair.

    Every registered saga gets every status, so a series that drops to zero is
    reported as zero rather than vanishing from the scrape.
    """
    names = {saga.name for saga in registered_sagas()}
    # order_by(): the model's default ordering would split the GROUP BY.
    rows = SagaRun.objects.values("saga", "status").annotate(n=Count("id")).order_by()
    counts = {(r["saga"], r["status"]): r["n"] for r in rows}
    names |= {saga for saga, _ in counts}
    for name in names:
        for status in SagaRun.Status.values:
            counts.setdefault((name, status), 0)
    return counts
