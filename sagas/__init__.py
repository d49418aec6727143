"""A durable saga engine for Django: steps with their undo, on the database you have.

The public face is ``sagas.api`` (``from sagas.api import Saga, Step, ...``);
its names can also be read from this package (``sagas.Saga``) once Django's
apps are loaded. Reading order of the code: definition (how a saga is
declared), models (what is stored), services (the entry points), runner/ (how
a run advances, commit by commit), lease and recovery (who may advance it, and
what happens when a worker dies), plan (the recovery plan drawn from a
definition).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# The names of ``sagas.api``, readable here too (a test keeps the lists equal).
__all__ = [
    "ACTIVE_STATUSES",
    "Area",
    "Batch",
    "BusinessError",
    "Clock",
    "CompensationError",
    "Effect",
    "InvalidReviewAction",
    "LeaseLost",
    "NeedsReview",
    "NewRun",
    "Outcome",
    "OutcomeUnknown",
    "Parallel",
    "ReadinessItem",
    "Reason",
    "RetryPolicy",
    "Rule",
    "RunResult",
    "RunStatus",
    "Saga",
    "SagaError",
    "SagaNotCancellable",
    "SagaNotFound",
    "SagaRun",
    "Step",
    "StepContext",
    "StepError",
    "StepRecord",
    "StepStatus",
    "Subject",
    "SubjectSource",
    "TimelineEvent",
    "TraceSpan",
    "Tracer",
    "Verdict",
    "get_clock",
    "get_saga",
    "get_tracer",
    "register",
    "register_readiness",
    "register_subject",
    "registered_sagas",
    "review_allowed",
    "review_resolve_step",
    "review_retry_compensations",
    "review_retry_step",
    "run_for",
    "run_timeline",
    "run_trace_url",
    "runs_for",
    "runs_in",
    "saga_cancel",
    "saga_record",
    "saga_recover",
    "saga_resume",
    "saga_start",
    "set_tracer",
    "use_clock",
    "use_tracer",
]


def __getattr__(name: str) -> Any:
    # Lazily: importing the package must not import its models, which Django
    # loads only once its app registry is ready.
    # Only the public names: a submodule (``from sagas import signals``) must
    # fall through to the import system.
    if name not in __all__:
        raise AttributeError(f"module 'sagas' has no attribute {name!r}")
    return getattr(importlib.import_module("sagas.api"), name)
