"""The saga runner: one module drives (runner), the others are driven.

Read in this order: runner (forward, groups, backward), recording (one
transaction of local writes and journal), journal (the fenced write), attempts
(retries, timeouts, unknown outcomes), members (where group members run).
"""

from sagas.runner.runner import Runner

__all__ = ["Runner"]
