"""The recovery sweeper: resume the runs whose worker died (their lease expired)."""

from __future__ import annotations

import logging
from datetime import datetime

from sagas.clock import get_clock
from sagas.exceptions import LeaseLost, NeedsReview, SagaError, StepError
from sagas.lease import lease_claim_expired, lease_owner_new
from sagas.models import SagaRun
from sagas.receivers import log_fields
from sagas.runner import Runner

logger = logging.getLogger("sagas")


def runs_recover(*, now: datetime | None = None, limit: int = 100) -> int:
    """Claim expired runs one at a time and resume each; return how many.

    One at a time, so a run is never claimed long before it is worked on (its
    new lease would be running out while it waits); and each claim reads the
    clock, so a run claimed late in a long sweep still gets a full lease. A
    given ``now`` fixes the sweep's time instead (a test's "an hour later").
    """
    owner, clock = lease_owner_new(), get_clock()
    resumed = 0
    while resumed < limit:
        run_id = lease_claim_expired(owner=owner, now=now or clock.now())
        if run_id is None:
            break
        resumed += 1
        try:
            Runner.load(run_id, owner=owner, taken_over=True).execute()
        except (StepError, NeedsReview, LeaseLost):
            pass  # an outcome of the run, recorded and logged already
        except SagaError as exc:
            logger.error(
                "cannot resume saga run %s: %s", run_id, exc, extra=_extra(run_id)
            )
        except Exception:
            # One broken run must not stop the sweep; its lease expires again and
            # the next sweep retries it.
            logger.exception(
                "resuming saga run %s failed", run_id, extra=_extra(run_id)
            )
    return resumed


def _extra(run_id: int) -> dict[str, object]:
    """Return the fields every saga log line carries (read only on this rare path)."""
    run = SagaRun.objects.filter(pk=run_id).only("operation_id", "saga").first()
    if run is None:
        return {"operation_id": None, "saga": None, "step": None}
    return log_fields(run)
