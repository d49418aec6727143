"""A worker killed mid-saga: recovery resumes the run and skips what was done.

The checkout is recorded as the API does when sagas run in workers (it would
answer 202), then a forked worker process runs it exactly as a django-q2
worker would (``orders.tasks.checkout_resume``). The carrier books the
shipment, and the injected crash SIGKILLs the worker before it can record the
booking. Once the dead worker's lease runs out, the recovery sweeper (the
``sagas.recover`` schedule) takes the run over in another process.
"""

from __future__ import annotations

from django.utils import timezone

from orders.checkout.saga import checkout_saga
from orders.tasks import checkout_resume
from sagas.api import RunStatus, run_for, saga_recover
from scenarios.facts import facts_for
from scenarios.stage import Demo

DONE_BEFORE_THE_CRASH = ["hold-stock", "charge-card", "confirm-reservation"]


def crash_and_resume(demo: Demo) -> None:
    """Kill the worker right after the carrier booked; let recovery finish."""
    demo.shelves()
    alice = demo.buyer("alice")
    with demo.watching() as watch:
        result = demo.checkout(
            alice, key="crash-1", faults={"shipping.create": "crash"}
        )
        run = result.run
        demo.note(
            f"the request recorded run {run.pk} and queued it for a worker "
            "(the API answers 202 Accepted)"
        )
        exit_code = demo.in_worker(lambda: checkout_resume(run.pk), name="worker-1")
        run = run_for(saga=checkout_saga.name, operation_id=run.operation_id)
        shipment = next(r for r in run.step_rows if r.name == "create-shipment")
        demo.note(
            f"the journal after the crash: run {run.status}, create-shipment "
            f"{shipment.status}, lease held by the dead process"
        )
        left = (run.lease_expires_at - timezone.now()).total_seconds()
        demo.wait(round(max(left, 0) + 0.2, 1), "the dead worker's lease runs out")
        demo.note("the recovery sweeper runs (scheduled every minute)")
        resumed_from = len(watch.started)
        recovered = saga_recover()
        resumed = [step for _, step in watch.started[resumed_from:]]

    order = demo.show_order(result.order)
    run = run_for(saga=checkout_saga.name, operation_id=order.operation_id)
    facts = facts_for(order.operation_id)
    demo.note(facts.describe())
    attempts = {r.name: r.attempts for r in run.step_rows}
    demo.check("the worker was killed by SIGKILL", exit_code == -9, exit_code)
    demo.check("the sweeper took one run over", recovered == 1 and run.takeovers == 1)
    demo.check(
        "steps done before the crash were skipped",
        not set(resumed) & set(DONE_BEFORE_THE_CRASH)
        and all(attempts[name] == 1 for name in DONE_BEFORE_THE_CRASH),
        "resumed: " + ", ".join(resumed),
    )
    demo.check("the run completed", run.status == RunStatus.COMPLETED, run.status)
    demo.check("the order shipped", order.state == "shipped", order.state)
    demo.check("one charge at the processor", facts.processor_charges == 1)
    demo.check("one booking at the carrier", facts.carrier_bookings == 1)
    demo.audit()
