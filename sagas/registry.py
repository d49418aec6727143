"""Where sagas are found by name; domain apps register theirs in AppConfig.ready()."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from sagas.definition import Saga
from sagas.exceptions import SagaNotFound

_sagas: dict[str, Saga] = {}


def register(saga: Saga) -> Saga:
    """Make ``saga`` findable by its name; registering it again is a no-op."""
    existing = _sagas.get(saga.name)
    if existing is not None and existing is not saga:
        raise ImproperlyConfigured(f"Another saga is registered as {saga.name!r}.")
    _sagas[saga.name] = saga
    return saga


def get_saga(name: str) -> Saga:
    """Return the saga registered as ``name``."""
    try:
        return _sagas[name]
    except KeyError:
        raise SagaNotFound(f"No saga is registered as {name!r}.") from None


def registered_sagas() -> list[Saga]:
    """Return every registered saga, by name."""
    return [_sagas[name] for name in sorted(_sagas)]
