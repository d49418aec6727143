"""Log lines for the engine's signals, with the run's identifiers as JSON fields."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from sagas import signals
from sagas.models import SagaRun

logger = logging.getLogger("sagas")


def log_fields(run: SagaRun, step: str | None = None) -> dict[str, Any]:
    """Return the fields every saga log line carries (the JSON logs' ``extra``)."""
    return {"operation_id": run.operation_id, "saga": run.saga, "step": step}


def log_step_started(*, run: SagaRun, step: str, attempt: int, **kwargs: Any) -> None:
    """Log that a step's action is about to run."""
    extra = log_fields(run, step)
    logger.info("step %s started (attempt %d)", step, attempt, extra=extra)


def log_step_completed(*, run: SagaRun, step: str, **kwargs: Any) -> None:
    """Log that a step completed."""
    logger.info("step %s completed", step, extra=log_fields(run, step))


def log_step_retrying(
    *, run: SagaRun, step: str, attempt: int, error: Any, delay: float, **kwargs: Any
) -> None:
    """Log a retry and why it is needed."""
    what = "compensation of step" if kwargs.get("compensation") else "step"
    logger.warning(
        "%s %s retrying (attempt %d in %.2fs): %s",
        what,
        step,
        attempt,
        delay,
        error,
        extra=log_fields(run, step),
    )


def log_step_failed(
    *, run: SagaRun, step: str, error: Any, outcome: str, **kwargs: Any
) -> None:
    """Log a step that failed or whose outcome is unknown."""
    logger.warning("step %s %s: %s", step, outcome, error, extra=log_fields(run, step))


def log_compensation_completed(*, run: SagaRun, step: str, **kwargs: Any) -> None:
    """Log an undone step."""
    logger.info("step %s compensated", step, extra=log_fields(run, step))


def alert_fields(run: SagaRun, step: str | None = None) -> dict[str, Any]:
    """Return the log fields of a line someone must act on: who is to be alerted."""
    return {
        **log_fields(run, step),
        "alert_target": getattr(settings, "SAGA_ALERT_TARGET", ""),
    }


def log_compensation_failed(
    *, run: SagaRun, step: str, error: Any, **kwargs: Any
) -> None:
    """Log, loudly, a compensation that kept failing (with the alert target)."""
    logger.error(
        "compensation of step %s failed: %s", step, error, extra=alert_fields(run, step)
    )


def log_run_finished(*, run: SagaRun, status: str, **kwargs: Any) -> None:
    """Log how a run ended; a run that needs review is an error (alert target too)."""
    if status == SagaRun.Status.NEEDS_REVIEW:
        logger.error(
            "saga run needs review (%s): %s",
            run.error_code,
            run.error,
            extra=alert_fields(run),
        )
    else:
        logger.info("saga run %s", status, extra=log_fields(run))


def receivers_connect() -> None:
    """Connect the logging receivers (called from AppConfig.ready())."""
    pairs = [
        (signals.step_started, log_step_started),
        (signals.step_completed, log_step_completed),
        (signals.step_retrying, log_step_retrying),
        (signals.step_failed, log_step_failed),
        (signals.compensation_completed, log_compensation_completed),
        (signals.compensation_failed, log_compensation_failed),
        (signals.run_finished, log_run_finished),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"sagas.log.{receiver.__name__}")
