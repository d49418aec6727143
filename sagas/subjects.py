"""What a run is about: the hook through which a domain app describes its subject.

The engine knows operation ids, not orders. A domain app that wants its records
shown next to its runs in the review queue registers a ``SubjectSource`` for its
saga in ``AppConfig.ready()``::

    register_subject(
        "checkout",
        SubjectSource(noun="order", columns=("state", "total"),
                      describe=orders_describe, search=orders_search),
    )

``describe(operation_ids)`` answers for a whole page of runs at once (one query,
not one per row) with a ``Subject`` per operation id it knows: a label, a URL
and the values of ``columns``. ``search(term)`` returns the operation ids whose
subject matches ``term`` (an order id, say), so the queue can be searched by the
domain's own identifiers without the engine importing the domain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Subject:
    """The record a run works for, as the review screens show it."""

    label: str
    url: str = ""
    # Column name -> value already formatted for a person ("reserved", "52.50 EUR").
    fields: dict[str, str] = field(default_factory=dict)


Describe = Callable[[list[str]], dict[str, Subject]]
Search = Callable[[str], Iterable[str]]


@dataclass(frozen=True)
class SubjectSource:
    """How one saga's subjects are described and searched."""

    noun: str
    describe: Describe
    columns: tuple[str, ...] = ()
    search: Search | None = None


_sources: dict[str, SubjectSource] = {}


def register_subject(saga_name: str, source: SubjectSource) -> SubjectSource:
    """Describe the runs of ``saga_name`` with ``source`` (again: a no-op)."""
    existing = _sources.get(saga_name)
    if existing is not None and existing != source:
        raise ImproperlyConfigured(f"Saga {saga_name!r} already has a subject source.")
    _sources[saga_name] = source
    return source


def subject_columns() -> list[str]:
    """Return the column names every registered source provides, in first-seen order."""
    columns: dict[str, None] = {}
    for name in sorted(_sources):
        columns.update(dict.fromkeys(_sources[name].columns))
    return list(columns)


def subjects_describe(runs: Iterable[tuple[str, str]]) -> dict[str, Subject]:
    """Return the subject of each ``(saga, operation_id)`` whose saga has a source.

    One call per saga present, whatever the number of runs.
    """
    by_saga: dict[str, list[str]] = {}
    for saga_name, operation_id in runs:
        if saga_name in _sources:
            by_saga.setdefault(saga_name, []).append(operation_id)
    subjects: dict[str, Subject] = {}
    for saga_name, operation_ids in by_saga.items():
        subjects.update(_sources[saga_name].describe(operation_ids))
    return subjects


def subjects_search(term: str) -> list[str]:
    """Return the operation ids whose subject matches ``term``, across all sources."""
    found: list[str] = []
    for source in _sources.values():
        if source.search is not None:
            found.extend(source.search(term))
    return found


def subject_nouns() -> list[str]:
    """Return what the registered sources describe ("order", ...), sorted."""
    return sorted({source.noun for source in _sources.values()})


def subject_noun(saga_name: str) -> str:
    """Return what the runs of ``saga_name`` work for ("order"), or "subject"."""
    source = _sources.get(saga_name)
    return source.noun if source is not None else "subject"
