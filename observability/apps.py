"""Metrics, request ids and traces: what the service did, and for whom."""

from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        from prometheus_client import disable_created_metrics

        from observability import checks  # noqa: F401  (registers the system check)
        from observability.receivers import receivers_connect
        from observability.task_context import task_context_connect
        from observability.tracing import tracing_configure

        # A counter's _created time is per process: meaningless once the files of
        # several processes are added up, and absent in multiprocess mode anyway.
        # Off everywhere, so a scrape looks the same in either mode.
        disable_created_metrics()
        receivers_connect()
        task_context_connect()
        tracing_configure()
