"""django-q2 tasks of aftersales: they take ids and call one service."""

from __future__ import annotations

from sagas.api import NeedsReview, saga_resume


def aftersales_resume(run_id: int) -> str:
    """Run (or continue) a return or refund saga in a worker; return how it stands."""
    try:
        return saga_resume(run_id=run_id).status
    except NeedsReview as error:
        # A stop for review is an outcome, not a task failure.
        return error.run.status
