"""How the run page shows a run to a person: status badges, a timeline, the state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from sagas.exceptions import SagaNotFound
from sagas.models import SagaRun
from sagas.records import StepRecord
from sagas.registry import get_saga

# Status -> colour family of its badge (see static/sagas/admin/review.css).
TONES = {
    "completed": "ok",
    "compensated": "ok",
    "running": "busy",
    "started": "busy",
    "compensating": "busy",
    "unknown": "warn",
    "failed": "bad",
    "needs_review": "bad",
    "pending": "idle",
    "skipped": "idle",
}


def badge(value: str, label: str | None = None) -> SafeString:
    """Return ``value`` as a coloured badge (its tone says good, busy or bad)."""
    tone = TONES.get(str(value), "idle")
    return format_html(
        '<span class="saga-badge saga-{}">{}</span>', tone, label or value
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One step of a run, with what the definition says about it."""

    row: StepRecord
    description: str
    compensable: bool
    stuck: bool

    @property
    def badge(self) -> SafeString:
        return badge(self.row.status, self.row.get_status_display())

    @property
    def badge_tone(self) -> str:
        return TONES.get(self.row.status, "idle")


def timeline(
    run: SagaRun, steps: list[StepRecord], stuck: list[str]
) -> list[TimelineEntry]:
    """Return the run's steps in order, each with its description and undo flag."""
    try:
        definition = get_saga(run.saga)
    except SagaNotFound:
        definition = None
    entries = []
    for row in steps:
        step = _step_or_none(definition, row.name)
        entries.append(
            TimelineEntry(
                row=row,
                description=step.description if step else "",
                compensable=bool(step and step.compensation),
                stuck=row.name in stuck,
            )
        )
    return entries


@dataclass(frozen=True)
class StateRow:
    """One field of the saved state, ready to show."""

    key: str
    value: SafeString
    saved_by: str

    @property
    def external(self) -> bool:
        """Return whether a step records this field: an id in another system."""
        return bool(self.saved_by)


def state_rows(state: dict[str, Any], saved_fields: dict[str, str]) -> list[StateRow]:
    """Return the saved state as rows, external ids (set or not) first."""
    rows = [
        StateRow(key=key, value=readable(value), saved_by=saved_fields.get(key, ""))
        for key, value in state.items()
    ]
    return sorted(rows, key=lambda row: not row.external)


def readable(value: Any) -> SafeString:
    """Return a JSON value as small HTML a person can read: lists, pairs, text."""
    if value in ("", None, [], {}):
        return format_html('<span class="saga-empty">{}</span>', "(not set)")
    if isinstance(value, dict):
        if all(not isinstance(item, dict | list) for item in value.values()):
            return format_html_join(", ", "<span><b>{}</b>: {}</span>", value.items())
        return format_html(
            '<dl class="saga-nested">{}</dl>',
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                ((k, readable(v)) for k, v in value.items()),
            ),
        )
    if isinstance(value, list):
        return format_html(
            '<ol class="saga-list">{}</ol>',
            format_html_join("", "<li>{}</li>", ((readable(item),) for item in value)),
        )
    return format_html("{}", value)


def _step_or_none(definition: Any, name: str) -> Any:
    if definition is None:
        return None
    try:
        return definition.step(name)
    except KeyError:
        return None
