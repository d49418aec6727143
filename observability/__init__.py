"""Observability: Prometheus metrics of the sagas, idempotency keys and the outbox."""
