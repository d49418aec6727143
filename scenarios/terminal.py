"""How a scenario's timeline is shown: colour and a progress line on a terminal,
plain lines when piped, one JSON document with ``--json``.

Every renderer takes the same ``Event``s; a forked worker sends its own over a
pipe (``PipeRenderer``) and the parent shows them as they come.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, TextIO


@dataclass(frozen=True)
class Event:
    """One line of a scenario's timeline."""

    t: float  # seconds since the scenario started
    kind: str  # section, note, step, retry, reconciled, takeover, run, http, ...
    text: str
    who: str = ""  # which order or buyer, when a scenario has several
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class Renderer(Protocol):
    """Where events go."""

    def emit(self, event: Event) -> None: ...

    def progress(self, text: str) -> None: ...

    def close(self, summary: dict[str, Any]) -> None: ...


# ANSI colours per kind of line (and per step status), for a terminal only.
RESET, BOLD, DIM = "\033[0m", "\033[1m", "\033[2m"
COLOURS = {
    "section": "\033[1;34m",
    "note": DIM,
    "retry": "\033[33m",
    "reconciled": "\033[36m",
    "takeover": "\033[35m",
    "worker": "\033[35m",
    "http": "\033[34m",
    "review": "\033[1;31m",
    "event": "\033[36m",
}
STATUS_COLOURS = {
    "completed": "\033[32m",
    "compensated": "\033[32m",
    "skipped": DIM,
    "failed": "\033[31m",
    "unknown": "\033[31m",
    "needs_review": "\033[1;31m",
}
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def line_of(event: Event) -> str:
    """Return the plain text line of ``event``."""
    if event.kind == "section":
        return f"\n== {event.text} =="
    if event.kind == "note":
        return f"         {event.text}"
    if event.kind == "check":
        mark = "ok  " if event.data.get("ok") else "FAIL"
        return f"  {mark}   {event.text}"
    who = f"{event.who:<6} " if event.who else ""
    step = f"{event.step:<20} " if event.step else ""
    return f"{event.t:6.2f}s  {who}{step}{event.text}"


class PlainRenderer:
    """Plain lines, for a pipe or a file: no colour, no progress line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lock = threading.RLock()

    def emit(self, event: Event) -> None:
        with self.lock:
            self.stream.write(line_of(event) + "\n")
            self.stream.flush()

    def progress(self, text: str) -> None:
        """Say what the scenario waits for (a terminal shows it; a pipe does not)."""

    def close(self, summary: dict[str, Any]) -> None:
        verdict = "passed" if summary["ok"] else "FAILED"
        self.stream.write(f"\nScenario {summary['scenario']} {verdict}.\n")
        self.stream.flush()


class TtyRenderer(PlainRenderer):
    """Coloured lines and, below them, a progress line redrawn while waiting."""

    def __init__(self, stream: TextIO, *, title: str) -> None:
        super().__init__(stream)
        self.title = title
        self.status = "starting"
        self.started = time.monotonic()
        self.stopped = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        self.ticker.start()

    def emit(self, event: Event) -> None:
        with self.lock:
            self._clear()
            self.stream.write(self._coloured(event) + "\n")
            if event.kind == "step":
                self.status = f"{event.step} {event.data.get('status', '')}".strip()
            self._draw()

    def progress(self, text: str) -> None:
        with self.lock:
            self.status = text
            self._draw()

    def close(self, summary: dict[str, Any]) -> None:
        self.stopped.set()
        self.ticker.join()
        with self.lock:
            self._clear()
            colour = STATUS_COLOURS["completed" if summary["ok"] else "failed"]
            verdict = "passed" if summary["ok"] else "FAILED"
            name = summary["scenario"]
            self.stream.write(f"\n{colour}{BOLD}Scenario {name} {verdict}.{RESET}\n")
            self.stream.flush()

    def _coloured(self, event: Event) -> str:
        text = line_of(event)
        if event.kind == "check":
            colour = STATUS_COLOURS["completed" if event.data.get("ok") else "failed"]
        elif event.kind == "step":
            colour = STATUS_COLOURS.get(event.data.get("status", ""), "")
        else:
            colour = COLOURS.get(event.kind, "")
        return f"{colour}{text}{RESET}" if colour else text

    def _tick(self) -> None:
        while not self.stopped.wait(0.1):
            with self.lock:
                self._draw()

    def _draw(self) -> None:
        elapsed = time.monotonic() - self.started
        frame = SPINNER[int(elapsed * 10) % len(SPINNER)]
        line = f"{frame} {self.title} · {elapsed:4.1f}s · {self.status}"
        self.stream.write(f"\r\033[K{DIM}{line[:100]}{RESET}")
        self.stream.flush()

    def _clear(self) -> None:
        self.stream.write("\r\033[K")


class JsonRenderer:
    """Everything in one JSON document, written when the scenario ends."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def emit(self, event: Event) -> None:
        with self.lock:
            self.events.append(asdict(event))

    def progress(self, text: str) -> None:
        """Progress is for people: nothing to record."""

    def close(self, summary: dict[str, Any]) -> None:
        document = {**summary, "events": self.events}
        self.stream.write(json.dumps(document, indent=2, default=str) + "\n")
        self.stream.flush()


class PipeRenderer:
    """A forked worker's renderer: hands every event to the parent process."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.lock = threading.Lock()

    def emit(self, event: Event) -> None:
        with self.lock:
            self.connection.send(event)

    def progress(self, text: str) -> None:
        """The parent draws the progress line."""

    def close(self, summary: dict[str, Any]) -> None:
        """The parent closes its own renderer."""


def renderer_for(stream: TextIO, *, as_json: bool, title: str) -> Renderer:
    """Return the renderer for ``stream``: JSON, a terminal's, or plain lines."""
    if as_json:
        return JsonRenderer(stream)
    if stream.isatty():
        return TtyRenderer(stream, title=title)
    return PlainRenderer(stream)
