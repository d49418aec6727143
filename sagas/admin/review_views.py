"""The review action views: check the permission, validate the form, call one service.

Each view answers only POST, refuses (403) anyone without
``sagas.review_sagarun`` before reading anything, and reports the engine's
answer as an admin message on the run's page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from sagas.admin.forms import ResolveStepForm, RetryStepForm, ReviewForm, form_errors
from sagas.exceptions import SagaError
from sagas.models import SagaRun
from sagas.review import (
    review_allowed,
    review_resolve_step,
    review_retry_compensations,
    review_retry_step,
)
from sagas.selectors import run_review_choices
from sagas.subjects import subject_noun, subjects_describe

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

Perform = Callable[[SagaRun, dict[str, Any], Any], SagaRun]


@require_POST
def retry_compensations_view(
    request: HttpRequest, object_id: str, *, model_admin: ModelAdmin
) -> HttpResponse:
    """Retry the failed compensations of the run."""
    return _act(
        request,
        object_id,
        model_admin,
        form_class=ReviewForm,
        done="Compensations retried",
        perform=lambda run, data, user: review_retry_compensations(
            run_id=run.pk, user=user, note=data["note"]
        ),
    )


@require_POST
def retry_step_view(
    request: HttpRequest, object_id: str, *, model_admin: ModelAdmin
) -> HttpResponse:
    """Retry the chosen stuck step of the run."""
    return _act(
        request,
        object_id,
        model_admin,
        form_class=RetryStepForm,
        done="Step retried",
        perform=lambda run, data, user: review_retry_step(
            run_id=run.pk, step_name=data["step"], user=user, note=data["note"]
        ),
    )


@require_POST
def resolve_step_view(
    request: HttpRequest, object_id: str, *, model_admin: ModelAdmin
) -> HttpResponse:
    """Record by hand what happened to the chosen stuck step."""
    return _act(
        request,
        object_id,
        model_admin,
        form_class=ResolveStepForm,
        done="Step resolved by hand",
        perform=lambda run, data, user: review_resolve_step(
            run_id=run.pk,
            step_name=data["step"],
            outcome=data["outcome"],
            user=user,
            note=data["note"],
        ),
    )


def _act(
    request: HttpRequest,
    object_id: str,
    model_admin: ModelAdmin,
    *,
    form_class: type[forms.Form],
    done: str,
    perform: Perform,
) -> HttpResponse:
    if not review_allowed(user=request.user):
        raise PermissionDenied
    run = model_admin.get_object(request, unquote(object_id))
    if run is None:
        raise Http404("No such saga run.")
    if not model_admin.has_view_permission(request, run):
        raise PermissionDenied
    choices = run_review_choices(run=run, steps=run.step_rows)
    steps = (
        choices.resolve_steps if form_class is ResolveStepForm else choices.retry_steps
    )
    form = form_class(request.POST, steps=steps)
    if not form.is_valid():
        messages.error(request, f"Nothing was done. {form_errors(form)}")
    else:
        try:
            run = perform(run, form.cleaned_data, request.user)
        except SagaError as error:
            messages.error(request, f"Nothing was done: {error.message}")
        else:
            _report(request, run, done)
    opts = model_admin.opts
    return redirect(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[run.pk])
    )


def _report(request: HttpRequest, run: SagaRun, done: str) -> None:
    """Tell the reviewer where the run (and its subject) ended up."""
    text = f"{done}: the run is now {run.get_status_display().lower()}"
    subject = subjects_describe([(run.saga, run.operation_id)]).get(run.operation_id)
    if subject is not None and subject.fields:
        details = ", ".join(f"{key} {value}" for key, value in subject.fields.items())
        text += f"; {subject_noun(run.saga)} {subject.label}: {details}"
    if run.status == SagaRun.Status.NEEDS_REVIEW:
        messages.warning(request, f"{text}. It still needs review: {run.error}")
    else:
        messages.success(request, f"{text}.")
