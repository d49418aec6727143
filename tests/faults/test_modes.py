"""mode_parse(): the modes a fault can take, and the ones it cannot."""

from __future__ import annotations

import pytest

from faults.modes import FaultMode, mode_parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("error", FaultMode(kind="error")),
        ("transient", FaultMode(kind="transient", times=1)),
        ("transient:3", FaultMode(kind="transient", times=3)),
        ("timeout", FaultMode(kind="timeout", times=1)),
        ("crash", FaultMode(kind="crash", times=1)),
        ("latency:250", FaultMode(kind="latency", milliseconds=250)),
    ],
)
def test_mode_parse_reads_every_documented_mode(text, expected):
    assert mode_parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "boom",
        "error:2",
        "transient:0",
        "transient:x",
        "latency",
        "latency:-5",
        "latency:999999",
        "timeout:2",
        "crash:1",
    ],
)
def test_mode_parse_refuses_anything_else(text):
    with pytest.raises(ValueError):
        mode_parse(text)
