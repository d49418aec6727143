"""django-q2 tasks of orders: they take ids and call one service."""

from __future__ import annotations

from sagas.exceptions import NeedsReview, StepError
from sagas.services import saga_resume


def checkout_resume(run_id: int) -> str:
    """Run (or continue) a checkout saga in a worker; return how it stands."""
    try:
        run = saga_resume(run_id=run_id)
    except (StepError, NeedsReview) as error:
        # A rollback or a stop for review is an outcome, not a task failure.
        run = error.run
    return run.status
