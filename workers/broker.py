"""Ask whether the task broker answers, and wait until it does."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django_q.brokers import Broker, get_broker

logger = logging.getLogger(__name__)

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0


def broker_reachable(broker: Broker | None = None) -> bool:
    """Return whether the broker (Redis, or the database's ORM broker) answers."""
    try:
        return bool((broker or get_broker()).ping())
    except Exception:
        # Any failure to answer is "not reachable": the broker is a dependency
        # whose errors come from redis-py, psycopg or sqlite3 alike.
        return False


def broker_wait(
    *,
    broker: Broker | None = None,
    sleep: Callable[[float], None] = time.sleep,
    first_delay: float = FIRST_DELAY_SECONDS,
    max_delay: float = MAX_DELAY_SECONDS,
) -> int:
    """Return once the broker answers; until then retry, backing off. Return the
    number of attempts that failed.

    Each miss is logged at WARNING with the delay before the next attempt,
    which doubles up to ``max_delay``: a broker that is down for an hour costs
    about 120 pings and log lines, and the cluster starts within ``max_delay``
    of its return.
    """
    broker = broker or get_broker()
    delay, misses = first_delay, 0
    while not broker_reachable(broker):
        misses += 1
        logger.warning(
            "The task broker does not answer (attempt %s); retrying in %.0f s",
            misses,
            delay,
        )
        sleep(delay)
        delay = min(delay * 2, max_delay)
    if misses:
        logger.warning("The task broker answers again after %s attempts", misses)
    return misses
