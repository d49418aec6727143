"""Saga log lines, as the configured JSON formatter writes them: ids on every line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from sagas.exceptions import CompensationError
from sagas.services import saga_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log() -> Iterator[Callable[[], list[dict]]]:
    """Send the "sagas" logger through the JSON formatter that settings.LOGGING
    configures; yield a function returning the lines so far, each parsed."""
    config = settings.LOGGING["formatters"]["json"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(config["()"])(fmt=config["fmt"]))
    logger = logging.getLogger("sagas")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@pytest.fixture
def stuck_run(service, state) -> None:
    """Run a toy order whose shipping and refund are down: retries, compensations,
    a compensation that keeps failing, and a stop for review."""
    service.fail("ship", "error")
    service.fail("refund", "error")
    with pytest.raises(CompensationError):
        saga_start(saga="toy-order", operation_id="op-json", state=state)


def test_every_saga_log_line_carries_operation_saga_and_step(json_log, stuck_run):
    """INFO, WARNING and ERROR lines alike are JSON objects with the three ids."""
    lines = json_log()

    assert {line["levelname"] for line in lines} == {"INFO", "WARNING", "ERROR"}
    assert all({"operation_id", "saga", "step"} <= line.keys() for line in lines)
    assert {(line["operation_id"], line["saga"]) for line in lines} == {
        ("op-json", "toy-order")
    }


def test_step_lines_name_their_step_and_run_lines_name_none(json_log, stuck_run):
    """A line about a step says which one; the run's own ending has step null."""
    lines = json_log()

    assert all(line["step"] in line["message"] for line in lines if line["step"])
    assert {line["step"] for line in lines} == {
        "reserve",
        "charge",
        "pack",
        "ship",
        None,
    }
    ending = [line for line in lines if line["message"].startswith("saga run")]
    assert [line["step"] for line in ending] == [None]
