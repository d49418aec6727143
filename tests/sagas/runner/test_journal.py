"""Bookkeeping: what it costs per step, and how the lease fences every write."""

from __future__ import annotations

import pytest

from sagas.definition import Saga, Step
from sagas.exceptions import LeaseLost
from sagas.models import SagaRun
from sagas.registry import register
from sagas.services import saga_start
from tests.sagas.toys import OrderState, ToyService, step_statuses


def _steal(ctx) -> None:
    """Hand the run to another worker, as the sweeper would after expiry."""
    SagaRun.objects.filter(pk=ctx.run_id).update(lease_owner="thief")
    ToyService(ctx.state.service).call("steal", ctx.idempotency_key)


def _after(ctx) -> None:
    ToyService(ctx.state.service).call("after", ctx.idempotency_key)


TOY_QUIET = register(
    Saga("toy-quiet", [Step("first", _after), Step("second", _after)], OrderState)
)

TOY_STOLEN = register(
    Saga("toy-stolen", [Step("steal", _steal), Step("after", _after)], OrderState)
)


@pytest.mark.django_db(transaction=True)
def test_the_happy_path_costs_one_write_per_step(
    service, state, django_assert_num_queries
):
    """A 4-step run: one UPDATE per step, plus creating the run.

    Creating is one transaction: BEGIN, INSERT run (its journal holds the
    first step started), COMMIT. Each step is recorded by one UPDATE of the
    run's row (its state, its journal, the next step started, the lease),
    fenced by the lease. The last one also ends the run; with its
    ``on_completed`` hook it is a transaction of its own (BEGIN, UPDATE,
    COMMIT): 3 + 3 x 1 + 3 = 9, on SQLite and PostgreSQL alike. It was 13.
    """
    with django_assert_num_queries(3 + 3 * 1 + 3):
        run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_a_run_without_hooks_costs_one_query_per_step(
    service, state, django_assert_num_queries
):
    """Neither step can be repeated, so each is written started before it acts.

    The write that records one step marks the next started, so that costs
    nothing more: 3 to create the run (with the first started), 1 per step,
    the last one ending the run as well.
    """
    with django_assert_num_queries(3 + 1 * 2):
        run = saga_start(saga="toy-quiet", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert service.points() == ["after", "after"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_lost_its_lease_stops_before_the_next_step(service, state):
    """Its next write is refused: LeaseLost, and the following step never runs."""
    with pytest.raises(LeaseLost):
        saga_start(saga="toy-stolen", operation_id="op-1", state=state)

    run = SagaRun.objects.get()
    assert run.lease_owner == "thief"
    assert step_statuses(run) == {"steal": "started", "after": "pending"}
    assert service.points() == ["steal"]


@pytest.mark.django_db
def test_the_lease_lasts_as_long_as_the_setting_says_at_call_time(
    settings, state, clock
):
    """SAGA_LEASE_SECONDS is read when the lease is taken, not at import."""
    settings.SAGA_LEASE_SECONDS = 600
    frozen = clock.now()
    clock.now = lambda: frozen

    run = saga_start(
        saga="toy-order", operation_id="op-1", state=state, execute=False
    ).run

    assert (run.lease_expires_at - frozen).total_seconds() == 600
