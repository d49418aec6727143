"""Count what the domain-free apps announce: saga steps, idempotency keys, webhooks."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from idempotency.signals import idempotency_outcome
from observability import metrics
from outbox.signals import webhook_delivered
from sagas import signals as saga_signals

logger = logging.getLogger(__name__)


def never_raises(receiver: Callable[..., None]) -> Callable[..., None]:
    """Log instead of raising: a broken metric must not break a checkout."""

    @functools.wraps(receiver)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            receiver(*args, **kwargs)
        except Exception:
            logger.exception("metrics receiver %s failed", receiver.__name__)

    return wrapper


@never_raises
def count_step_started(*, run: Any, step: str, **kwargs: Any) -> None:
    """Count the first attempt of a step."""
    metrics.STEP_ATTEMPTS.labels(run.saga, step).inc()


@never_raises
def count_step_retrying(*, run: Any, step: str, **kwargs: Any) -> None:
    """Count a retry; a retried action is one more attempt of its step."""
    compensation = bool(kwargs.get("compensation"))
    phase = "compensation" if compensation else "action"
    metrics.STEP_RETRIES.labels(run.saga, step, phase).inc()
    if not compensation:
        metrics.STEP_ATTEMPTS.labels(run.saga, step).inc()


@never_raises
def count_step_failed(*, run: Any, step: str, outcome: str, **kwargs: Any) -> None:
    """Count a step that failed or whose outcome is unknown."""
    metrics.STEP_FAILURES.labels(run.saga, step, str(outcome)).inc()


@never_raises
def count_compensation_completed(*, run: Any, step: str, **kwargs: Any) -> None:
    """Count an undone step."""
    metrics.COMPENSATIONS.labels(run.saga, step, "completed").inc()


@never_raises
def count_compensation_failed(*, run: Any, step: str, **kwargs: Any) -> None:
    """Count a compensation that kept failing."""
    metrics.COMPENSATIONS.labels(run.saga, step, "failed").inc()


@never_raises
def count_run_finished(*, run: Any, status: str, **kwargs: Any) -> None:
    """Count a run that ended, by how it ended."""
    metrics.RUNS_FINISHED.labels(run.saga, str(status)).inc()


@never_raises
def count_idempotency_outcome(*, outcome: str, **kwargs: Any) -> None:
    """Count a request the Idempotency-Key middleware handled."""
    # Not by path: paths carry ids, and every distinct label value is a new series.
    metrics.IDEMPOTENCY_REQUESTS.labels(str(outcome)).inc()


@never_raises
def count_webhook_delivery(*, outcome: str, **kwargs: Any) -> None:
    """Count a webhook delivery attempt."""
    metrics.WEBHOOK_DELIVERIES.labels(str(outcome)).inc()


def receivers_connect() -> None:
    """Connect the counting receivers (called from AppConfig.ready())."""
    pairs = [
        (saga_signals.step_started, count_step_started),
        (saga_signals.step_retrying, count_step_retrying),
        (saga_signals.step_failed, count_step_failed),
        (saga_signals.compensation_completed, count_compensation_completed),
        (saga_signals.compensation_failed, count_compensation_failed),
        (saga_signals.run_finished, count_run_finished),
        (idempotency_outcome, count_idempotency_outcome),
        (webhook_delivered, count_webhook_delivery),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"observability.{receiver.__name__}")
