"""The production-readiness checklist: checked against the running configuration."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sagas.readiness import (
    Area,
    ReadinessItem,
    readiness_check,
    readiness_items,
    readiness_markdown,
    register_readiness,
)
from sagas.registry import get_saga

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(settings):
    """A configuration that passes every item of the checkout's checklist."""
    settings.FAULT_INJECTION = False
    settings.DEBUG = False
    settings.METRICS_PUBLIC = False
    settings.SAGA_ALERT_TARGET = "#payments-oncall"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # never connected to
        }
    }
    return settings


def _check(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("saga_plan", *args, "--check", stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


def test_check_passes_when_every_item_holds(ready):
    status, checklist = _check("checkout")

    assert status == 0, checklist
    assert "**fail**" not in checklist
    assert "| pass | #payments-oncall |" in checklist


def test_check_exits_1_when_an_item_fails_and_says_which(ready):
    ready.FAULT_INJECTION = True

    status, checklist = _check("checkout")

    assert status == 1
    row = next(line for line in checklist.splitlines() if "Fault injection" in line)
    assert row.endswith("| **fail** | FAULT_INJECTION = True |")


def test_the_checklist_has_engineering_and_operations_items():
    items = readiness_items([get_saga("checkout")])

    areas = [item.area for item in items]
    assert len(items) >= 8
    assert areas == sorted(areas, key=list(Area).index)
    assert {Area.ENGINEERING, Area.OPERATIONS} <= set(areas)


def test_an_item_that_cannot_be_read_fails_with_the_reason():
    def broken():
        raise LookupError("no such setting")

    [result] = readiness_check([ReadinessItem(Area.OPERATIONS, "x", "y", broken)])

    assert result.passed is False
    assert result.found == "cannot check: LookupError: no such setting"


def test_an_item_registered_twice_is_listed_once():
    item = ReadinessItem(Area.OPERATIONS, "Fault injection is off", "again", bool)
    before = len(readiness_items([]))

    register_readiness(item)

    assert len(readiness_items([])) == before


def test_without_results_the_items_are_listed_and_nothing_is_checked():
    def never():
        raise AssertionError("checked")

    item = ReadinessItem(Area.ENGINEERING, "Never checked", "nothing", never)

    assert readiness_markdown([item], results=False).endswith(
        "| 1 | engineering | Never checked | nothing |\n"
    )
