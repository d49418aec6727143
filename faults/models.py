"""The fault plan of one operation, shared by every process that works on it."""

from __future__ import annotations

from django.db import models


class FaultPlan(models.Model):
    """The faults to inject into the external calls made for one operation.

    ``plan`` maps a fault point to a mode (``{"payments.charge": "transient:2"}``).
    ``counters`` counts how many times each point's fault has fired; it lives in the
    database, not in memory, so a fault that fires "N times" fires N times in total
    across every worker process, and a crash fires once even after a restart.
    ``version`` makes counting a compare-and-set: a conditional UPDATE that only one
    of two racing processes can win.
    """

    operation_id = models.CharField(max_length=100, unique=True)
    plan = models.JSONField(default=dict)
    counters = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"faults for {self.operation_id}"
