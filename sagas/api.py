"""The saga engine's public face: everything a project needs, from one module.

Declare a saga (``Saga``, ``Step``, ``Parallel``, ``RetryPolicy``), register
it, start runs (``saga_start``, or ``saga_record`` inside your own
transaction), resume, cancel and recover them, and read them back
(``run_for``, ``runs_for``; a run's story: ``run_timeline``), and add to the
production-readiness checklist (``register_readiness``). A run that completes
or rolls back is a ``RunResult``; one that needs a person raises
``NeedsReview`` (or its ``OutcomeUnknown`` and ``CompensationError``). Spans
go through a hook (``set_tracer``, a ``Tracer``): none is opened until a
project installs one. A person's decisions on a run under review are
``review_*`` functions, as the admin's buttons call them. Besides this module,
``sagas.signals`` is public, as Django's own signal modules are: a receiver
connects there. Nothing else of the engine is meant to be imported: its models
are written by the engine alone.
"""

from __future__ import annotations

from sagas.clock import Clock, get_clock, use_clock
from sagas.context import Batch, StepContext
from sagas.definition import Effect, Outcome, Parallel, RetryPolicy, Rule, Saga, Step
from sagas.exceptions import (
    BusinessError,
    CompensationError,
    InvalidReviewAction,
    LeaseLost,
    NeedsReview,
    OutcomeUnknown,
    SagaError,
    SagaNotCancellable,
    SagaNotFound,
    StepError,
)
from sagas.models import ACTIVE_STATUSES, SagaRun, StepStatus
from sagas.readiness import Area, ReadinessItem, Verdict, register_readiness
from sagas.records import StepRecord
from sagas.registry import get_saga, register, registered_sagas
from sagas.results import RunResult
from sagas.review import (
    review_allowed,
    review_resolve_step,
    review_retry_compensations,
    review_retry_step,
)
from sagas.selectors import run_for, run_timeline, run_trace_url, runs_for, runs_in
from sagas.services import (
    NewRun,
    saga_cancel,
    saga_record,
    saga_recover,
    saga_resume,
    saga_start,
)
from sagas.subjects import Subject, SubjectSource, register_subject
from sagas.timeline import TimelineEvent
from sagas.tracing import Tracer, TraceSpan, get_tracer, set_tracer, use_tracer

RunStatus = SagaRun.Status
Reason = SagaRun.Reason

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
