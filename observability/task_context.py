"""A django-q2 task carries the request id and trace context of whoever queued it.

When a task is queued (``pre_enqueue``) the current request id and span
context are added to the task's package, which the broker keeps as it is.
The worker that runs it (``pre_execute``) takes them back: its log lines
carry the same request id, and its span, a child of the queueing one, puts
the web request and the worker's saga steps in one trace. The span ends, and
the id is put back, when the task has run (``post_execute_in_worker``).
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from django_q.signals import post_execute_in_worker, pre_enqueue, pre_execute
from opentelemetry.trace import SpanKind, Status, StatusCode

from observability.request_ids import request_id_get, request_id_used
from observability.tracing import (
    context_carrier,
    context_from,
    tracer,
    tracing_enabled,
)

TRACE_KEY, REQUEST_KEY = "trace_context", "request_id"

# Task id -> what was opened for it. A worker process runs one task at a time;
# a synchronous task (``sync``) runs in the queueing thread, inside its caller.
_open: dict[str, ExitStack] = {}


def task_context_add(*, task: dict[str, Any], **kwargs: Any) -> None:
    """Put the current request id and trace context into a task being queued."""
    request_id = request_id_get()
    if request_id:
        task[REQUEST_KEY] = request_id
    carrier = context_carrier()
    if carrier:
        task[TRACE_KEY] = carrier


def task_context_enter(*, task: dict[str, Any], **kwargs: Any) -> None:
    """Before a task runs: its queuer's request id, and a span in its trace."""
    stack = ExitStack()
    stack.enter_context(request_id_used(task.get(REQUEST_KEY)))
    if tracing_enabled():
        # The parent is the queueing span only: never whatever this worker
        # thread might have current.
        span = stack.enter_context(
            tracer().start_as_current_span(
                f"task {task.get('func')}",
                context=context_from(task.get(TRACE_KEY)),
                kind=SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "django-q2",
                    "messaging.message.id": str(task.get("id", "")),
                },
            )
        )
        stack.callback(_span_settle, span, task)
    _open[task.get("id", "")] = stack


def task_context_exit(*, task: dict[str, Any], **kwargs: Any) -> None:
    """After a task ran: end its span, put the request id back."""
    stack = _open.pop(task.get("id", ""), None)
    if stack is not None:
        stack.close()


def _span_settle(span: Any, task: dict[str, Any]) -> None:
    if task.get("success") is False:
        span.set_status(Status(StatusCode.ERROR, str(task.get("result", ""))[:200]))


def task_context_connect() -> None:
    """Connect the receivers to django-q2's signals (from AppConfig.ready())."""
    pre_enqueue.connect(task_context_add, dispatch_uid="observability.task_add")
    pre_execute.connect(task_context_enter, dispatch_uid="observability.task_enter")
    post_execute_in_worker.connect(
        task_context_exit, dispatch_uid="observability.task_exit"
    )
