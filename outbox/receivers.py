"""The engine's run events that become outbox messages, in the engine's transaction."""

from __future__ import annotations

from typing import Any

from outbox.services import message_emit


def run_needs_review_emit(
    *, run: Any, reason: str, step: str | None, error: str, **kwargs: Any
) -> None:
    """Publish ``saga.needs_review``: a run stopped and a person must act.

    Sent by the engine inside the transaction that stops the run, so the
    message exists exactly when the status does.
    """
    message_emit(
        event_type="saga.needs_review",
        aggregate_type="saga_run",
        aggregate_id=str(run.pk),
        payload={
            "saga": run.saga,
            "operation_id": run.operation_id,
            "step": step,
            "reason": reason,
            "error": error,
        },
    )


def receivers_connect() -> None:
    """Subscribe the outbox to the saga engine's events (from AppConfig.ready())."""
    from sagas.signals import run_needs_review

    run_needs_review.connect(
        run_needs_review_emit, dispatch_uid="outbox.saga_needs_review"
    )
