"""Hooks fired as runs advance; sagas.receivers turns them into log lines.

Every signal is sent with the ``Saga`` as sender and ``run`` (the ``SagaRun``);
step signals add ``step`` (its name). Receivers must not raise.
"""

from __future__ import annotations

from django.dispatch import Signal

# attempt
step_started = Signal()
step_completed = Signal()
# attempt (the one about to start), error, delay, compensation (bool)
step_retrying = Signal()
# error, outcome ("failed" or "unknown")
step_failed = Signal()
compensation_completed = Signal()
# error
compensation_failed = Signal()
# status (sent once the run's last write has committed)
run_finished = Signal()
# reason, step, error: sent INSIDE the transaction that stops the run for a
# person, so a receiver's writes (the outbox's message) commit with it.
run_needs_review = Signal()
