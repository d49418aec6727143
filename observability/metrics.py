"""The service's Prometheus counters: what happened, counted where it happened.

prometheus_client chooses where values live when it is imported. With
``PROMETHEUS_MULTIPROC_DIR`` in the environment each process writes its values
to memory-mapped files in that directory and a scrape adds up the files of
every process, the dead ones included, so gunicorn and qcluster workers report
as one service. Without it the values live in this process only.

The counters belong to no registry: ``observability.exposition`` builds one per
scrape, from the files or from these objects.
"""

from __future__ import annotations

from prometheus_client import Counter

STEP_ATTEMPTS = Counter(
    "saga_step_attempts",
    "Attempts of a saga step's action: the first one and every retry.",
    ["saga", "step"],
    registry=None,
)
STEP_RETRIES = Counter(
    "saga_step_retries",
    "Retries after a transient error, of a step's action or of its compensation.",
    ["saga", "step", "phase"],
    registry=None,
)
STEP_FAILURES = Counter(
    "saga_step_failures",
    "Steps that ended without completing: failed, or with an unknown outcome.",
    ["saga", "step", "outcome"],
    registry=None,
)
COMPENSATIONS = Counter(
    "saga_compensations",
    "Compensations that completed, or kept failing (the run needs review).",
    ["saga", "step", "outcome"],
    registry=None,
)
RUNS_FINISHED = Counter(
    "saga_runs_finished",
    "Saga runs that ended: completed, compensated or needs_review.",
    ["saga", "outcome"],
    registry=None,
)
IDEMPOTENCY_REQUESTS = Counter(
    "idempotency_requests",
    "Requests handled by the Idempotency-Key middleware, by outcome.",
    ["outcome"],
    registry=None,
)
WEBHOOK_DELIVERIES = Counter(
    "outbox_webhook_deliveries",
    "Webhook delivery attempts: delivered, failed (will retry) or dead.",
    ["outcome"],
    registry=None,
)

COUNTERS = (
    STEP_ATTEMPTS,
    STEP_RETRIES,
    STEP_FAILURES,
    COMPENSATIONS,
    RUNS_FINISHED,
    IDEMPOTENCY_REQUESTS,
    WEBHOOK_DELIVERIES,
)
