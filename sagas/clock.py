"""Time as the engine sees it, replaceable so tests need not wait or sleep."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone


class Clock:
    """``now()`` for leases, ``sleep()`` and ``rng`` for retry back-off."""

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        now: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.sleep = sleep
        self.rng = rng or random.Random()
        self._now = now

    def now(self) -> datetime:
        """Return the current time (aware)."""
        return self._now()

    @classmethod
    def without_sleep(cls) -> Clock:
        """Return a clock whose retries do not wait (tests, demos)."""
        return cls(sleep=lambda seconds: None)


_current = Clock()


def get_clock() -> Clock:
    """Return the clock new runs use."""
    return _current


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Make runs started inside the block use ``clock``."""
    global _current
    previous, _current = _current, clock
    try:
        yield clock
    finally:
        _current = previous
