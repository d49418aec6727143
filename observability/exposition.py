"""Build the registry of one scrape: the counters of every process, and the gauges."""

from __future__ import annotations

from django.conf import settings
from prometheus_client import CollectorRegistry, values
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from observability.collectors import DatabaseCollector
from observability.metrics import COUNTERS


def multiprocess_mode() -> bool:
    """Return whether prometheus_client keeps values in shared files."""
    # Decided by prometheus_client at import, from the environment.
    return bool(values.ValueClass._multiprocess)


def scrape_registry() -> CollectorRegistry:
    """Return a new registry holding everything one scrape reports.

    A fresh registry per scrape: in multiprocess mode the counters must be
    read from the files of every process, never from this process's objects.
    """
    registry = CollectorRegistry(auto_describe=True)
    if settings.PROMETHEUS_MULTIPROC_DIR:
        MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        for counter in COUNTERS:
            registry.register(counter)
    registry.register(DatabaseCollector())
    return registry


def metrics_render(*, accept: str = "") -> tuple[bytes, str]:
    """Return the scrape's body and content type, in the format ``accept`` asks for."""
    encoder, content_type = choose_encoder(accept)
    return encoder(scrape_registry()), content_type
