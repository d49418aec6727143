"""The saga runner: forward pass, backward pass, parallel groups, bookkeeping.

Read in this order: core (the Runner), forward, parallel, backward, attempts
(retries, timeouts, unknown outcomes), journal (the lease-fenced writes).
"""

from sagas.runner.core import Runner

__all__ = ["Runner"]
