"""sagas/subjects.py: domain apps describe and find the records their runs are for."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from sagas import subjects
from sagas.subjects import (
    Subject,
    SubjectSource,
    register_subject,
    subject_columns,
    subject_noun,
    subjects_describe,
    subjects_search,
)


@pytest.fixture(autouse=True)
def isolated(monkeypatch):
    """Each test starts with no subject source registered."""
    monkeypatch.setattr(subjects, "_sources", {})


def recording_source(noun: str, calls: list) -> SubjectSource:
    def describe(operation_ids: list[str]) -> dict[str, Subject]:
        calls.append((noun, list(operation_ids)))
        return {op: Subject(label=f"{noun}-{op}") for op in operation_ids}

    return SubjectSource(
        noun=noun,
        columns=("state",),
        describe=describe,
        search=lambda term: [f"{noun}:{term}"],
    )


def test_describe_asks_each_saga_once_for_all_its_runs():
    calls: list = []
    register_subject("checkout", recording_source("order", calls))
    register_subject("returns", recording_source("parcel", calls))

    found = subjects_describe([("checkout", "a"), ("returns", "b"), ("checkout", "c")])

    assert sorted(calls) == [("order", ["a", "c"]), ("parcel", ["b"])]
    assert found["b"] == Subject(label="parcel-b")


def test_runs_of_a_saga_without_a_source_have_no_subject():
    assert subjects_describe([("toy", "a")]) == {}
    assert subject_noun("toy") == "subject"


def test_search_asks_every_source():
    register_subject("checkout", recording_source("order", []))
    register_subject("returns", recording_source("parcel", []))

    assert sorted(subjects_search("42")) == ["order:42", "parcel:42"]


def test_columns_are_the_union_of_the_sources_columns():
    register_subject("checkout", SubjectSource("order", dict, ("state", "total")))
    register_subject("returns", SubjectSource("parcel", dict, ("state", "carrier")))

    assert subject_columns() == ["state", "total", "carrier"]


def test_registering_the_same_source_twice_is_a_no_op():
    source = SubjectSource("order", dict)
    register_subject("checkout", source)

    assert register_subject("checkout", source) is source


def test_a_second_different_source_for_a_saga_is_refused():
    register_subject("checkout", SubjectSource("order", dict))

    with pytest.raises(ImproperlyConfigured):
        register_subject("checkout", SubjectSource("parcel", dict))
