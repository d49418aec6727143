"""What the service's JSON console handler writes, parsed, while a block runs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def console_lines() -> Iterator[list[dict]]:
    """Collect the lines of the root's console handler (config/settings.py LOGGING).

    The handler itself, with its formatter and filter, writes them: only its
    stream is swapped for the block. The list is filled when the block ends.
    """
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if type(handler) is logging.StreamHandler and handler.filters
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        handler.setStream(previous)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())
