"""What a request answers when a dependency is down: 503 with Retry-After, not 500.

A lost database connection or an unreachable task broker is not a bug in the
request: the same request will succeed once the dependency is back, and
nothing it did was lost (a checkout's order and run commit together, and the
recovery sweeper starts any run whose worker never got it). Telling the client
so (503, a code naming the dependency, Retry-After) lets it retry on its own,
with the same Idempotency-Key, instead of giving up on a 500.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from problems.errors import ApplicationError

RETRY_AFTER_SECONDS = 5


class DependencyUnavailable(ApplicationError):
    """Base of the errors a request answers when something it needs is down."""

    code = "dependency_unavailable"
    status = 503
    title = "A service this request needs is unavailable; retry shortly."
    retry_after = RETRY_AFTER_SECONDS


class DatabaseUnavailable(DependencyUnavailable):
    """The database cannot be reached, or dropped the connection."""

    code = "database_unavailable"
    title = "The database is unavailable; retry shortly."


class BrokerUnavailable(DependencyUnavailable):
    """The task broker (Redis) cannot be reached to queue the work."""

    code = "broker_unavailable"
    title = "The task queue is unavailable; retry shortly with the same key."


def outage_for(error: BaseException | None) -> DependencyUnavailable | None:
    """Return the outage ``error`` reveals, or None if it is a plain failure.

    OperationalError covers a refused or dropped connection (and SQLite's
    "database is locked" after its busy timeout: also worth a retry);
    InterfaceError, a connection that was closed under us.
    """
    if isinstance(error, OperationalError | InterfaceError):
        return DatabaseUnavailable()
    if isinstance(error, RedisConnectionError | RedisTimeoutError):
        return BrokerUnavailable()
    return None
