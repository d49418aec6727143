"""The review queue (the run list) and the run page with its review actions.

Nobody edits the engine's records here: a run changes only through the review
actions, which call the engine's services (see ``sagas.review``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from sagas.admin import review_views
from sagas.admin.display import badge, state_rows, timeline
from sagas.admin.filters import AgeFilter
from sagas.admin.forms import ResolveStepForm, RetryStepForm, ReviewForm
from sagas.models import SagaRun
from sagas.review import review_allowed
from sagas.selectors import (
    QUEUE_ORDERING,
    run_review_actions,
    run_review_choices,
    run_saved_fields,
    run_timeline,
    run_trace_url,
)
from sagas.subjects import (
    Subject,
    subject_columns,
    subject_noun,
    subject_nouns,
    subjects_describe,
    subjects_search,
)

OPERATION_ID_SHOWN = 10
REVIEW_ACTIONS = {
    "retry-compensations": review_views.retry_compensations_view,
    "retry-step": review_views.retry_step_view,
    "resolve-step": review_views.resolve_step_view,
}


class ReviewQueue(ChangeList):
    """The run list, whose subjects are described for the whole page at once."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        runs = list(self.result_list)
        subjects = subjects_describe((run.saga, run.operation_id) for run in runs)
        for run in runs:
            run.subject = subjects.get(run.operation_id)
        self.result_list = runs


@admin.register(SagaRun)
class SagaRunAdmin(admin.ModelAdmin):
    list_display = ["operation", "saga", "status_badge", "reason", "age"]
    list_filter = ["saga", "status", AgeFilter, "error_code"]
    search_fields = ["operation_id"]
    search_help_text = "Search by operation id, or by the id of what the run is for."
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "operation_id",
                    "saga",
                    "status_badge",
                    "reason",
                    "error",
                    "subject_link",
                    "trace",
                ]
            },
        ),
        (
            "Timing and ownership",
            {
                "classes": ["collapse"],
                "fields": [
                    "created_at",
                    "updated_at",
                    "finished_at",
                    "lease_owner",
                    "lease_expires_at",
                    "cancel_requested",
                ],
            },
        ),
    ]
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]

    class Media:
        css = {"all": ["sagas/admin/review.css"]}

    # -- read-only: runs change only through the engine --------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Whoever may act on reviews may look at the runs they act on.
        return super().has_view_permission(request, obj) or review_allowed(
            user=request.user
        )

    # -- the queue -----------------------------------------------------------------

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        return list(QUEUE_ORDERING)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ReviewQueue

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        if not subject_nouns():
            return list(self.list_display)
        columns = [_subject_column(name) for name in subject_columns()]
        return [*self.list_display, _subject_link_column(), *columns]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        operation_ids = subjects_search(search_term.strip()) if search_term else []
        if operation_ids:
            found = found | queryset.filter(operation_id__in=operation_ids)
        return found, duplicates

    @admin.display(description="operation id", ordering="operation_id")
    def operation(self, run: SagaRun) -> str:
        # Shortened so the row fits; the full id is the tooltip and on the page.
        short = run.operation_id[:OPERATION_ID_SHOWN]
        if len(run.operation_id) > OPERATION_ID_SHOWN:
            short += "\u2026"
        return format_html('<span title="{}">{}</span>', run.operation_id, short)

    @admin.display(description="status", ordering="status")
    def status_badge(self, run: SagaRun) -> str:
        return badge(run.status, run.get_status_display())

    @admin.display(description="reason", ordering="error_code")
    def reason(self, run: SagaRun) -> str:
        return run.get_error_code_display() or "-"

    @admin.display(description="age", ordering="-created_at")
    def age(self, run: SagaRun) -> str:
        return timesince(run.created_at, timezone.now())

    @admin.display(description="for")
    def subject_link(self, run: SagaRun) -> str:
        subject = _subject_of(run)
        if subject is None:
            return "-"
        noun = subject_noun(run.saga)
        if not subject.url:
            return f"{noun} {subject.label}"
        return format_html('<a href="{}">{} {}</a>', subject.url, noun, subject.label)

    @admin.display(description="trace")
    def trace(self, run: SagaRun) -> str:
        # The trace that recorded the run: a link when SAGA_TRACE_URL is set.
        if not run.trace_id:
            return "-"
        url = run_trace_url(run=run)
        if not url:
            return format_html('<code class="saga-key">{}</code>', run.trace_id)
        return format_html(
            '<a href="{}"><code class="saga-key">{}</code></a>', url, run.trace_id
        )

    # -- the run page ----------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        review = [
            path(
                f"<path:object_id>/review/{slug}/",
                self.admin_site.admin_view(partial(view, model_admin=self)),
                name="{}_{}_{}".format(*info, slug.replace("-", "_")),
            )
            for slug, view in REVIEW_ACTIONS.items()
        ]
        return review + super().get_urls()

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: SagaRun | None = None,
    ) -> HttpResponse:
        """Add the run's timeline, state and review actions to its page.

        Here rather than in ``change_view``: Django has read the run already.
        """
        if obj is not None:
            context.update(self._review_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _review_context(self, request: HttpRequest, run: SagaRun) -> dict[str, Any]:
        steps = run.step_rows
        choices = run_review_choices(run=run, steps=steps)
        stuck = sorted(set(choices.retry_steps) | set(choices.resolve_steps))
        return {
            "run": run,
            "timeline": timeline(run, steps, stuck),
            "events": run_timeline(run=run),
            "state_rows": state_rows(run.state, run_saved_fields(run=run)),
            "state_json": json.dumps(run.state, indent=2, sort_keys=True),
            "audit_trail": run_review_actions(run=run),
            "choices": choices,
            "can_review": review_allowed(user=request.user),
            "retry_compensations_form": ReviewForm(auto_id="id_rc_%s"),
            "retry_step_form": RetryStepForm(
                steps=choices.retry_steps, auto_id="id_rs_%s"
            ),
            "resolve_step_form": ResolveStepForm(
                steps=choices.resolve_steps, auto_id="id_res_%s"
            ),
        }


def _subject_of(run: SagaRun) -> Subject | None:
    """Return the run's subject: from the page's batch, else asked for alone."""
    if not hasattr(run, "subject"):
        found = subjects_describe([(run.saga, run.operation_id)])
        run.subject = found.get(run.operation_id)
    return run.subject


def _subject_link_column() -> Callable[[SagaRun], str]:
    """Return the list column linking each run to its subject ("order" ...)."""

    @admin.display(description="/".join(subject_nouns()))
    def subject(run: SagaRun) -> str:
        found = _subject_of(run)
        if found is None:
            return "-"
        if not found.url:
            return found.label
        return format_html('<a href="{}">{}</a>', found.url, found.label)

    return subject


def _subject_column(name: str) -> Callable[[SagaRun], str]:
    """Return a list column that shows the subject's field ``name``."""

    @admin.display(description=name)
    def column(run: SagaRun) -> str:
        subject = _subject_of(run)
        return subject.fields.get(name, "-") if subject else "-"

    column.__name__ = f"subject_{name}"  # names the column's CSS class
    return column
