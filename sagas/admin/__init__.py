"""Admin screens of the saga engine: the review queue, run pages, review actions."""

from __future__ import annotations

from sagas.admin.runs import SagaRunAdmin

__all__ = ["SagaRunAdmin"]
