"""The renderers: colour on a terminal only, plain lines in a pipe, JSON on demand."""

from __future__ import annotations

import io
import json

from scenarios.terminal import Event, JsonRenderer, PlainRenderer, TtyRenderer

FAILED = Event(
    1.5,
    "step",
    "failed after 4 attempt(s)",
    "alice",
    "create-shipment",
    {"status": "failed"},
)
SUMMARY = {"scenario": "partial-failure", "ok": True}


def test_a_pipe_gets_plain_lines_aligned_by_time_buyer_and_step():
    stream = io.StringIO()
    renderer = PlainRenderer(stream)

    renderer.emit(FAILED)
    renderer.progress("waiting")
    renderer.close(SUMMARY)

    assert stream.getvalue() == (
        "  1.50s  alice  create-shipment      failed after 4 attempt(s)\n"
        "\nScenario partial-failure passed.\n"
    )


def test_a_terminal_gets_colours_and_a_progress_line():
    stream = io.StringIO()
    renderer = TtyRenderer(stream, title="partial-failure")

    renderer.emit(FAILED)
    renderer.progress("the dead worker's lease runs out: 1.2 s")
    renderer.close(SUMMARY)

    output = stream.getvalue()
    assert "\033[31m  1.50s  alice  create-shipment" in output
    assert "partial-failure ·" in output and "lease runs out: 1.2 s" in output
    assert output.endswith("Scenario partial-failure passed.\033[0m\n")


def test_json_is_one_document_with_every_event():
    stream = io.StringIO()
    renderer = JsonRenderer(stream)

    renderer.emit(FAILED)
    renderer.close(SUMMARY)

    document = json.loads(stream.getvalue())
    assert document["ok"] is True
    assert document["events"] == [
        {
            "t": 1.5,
            "kind": "step",
            "text": "failed after 4 attempt(s)",
            "who": "alice",
            "step": "create-shipment",
            "data": {"status": "failed"},
        }
    ]
