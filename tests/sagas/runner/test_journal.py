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
def test_the_happy_path_costs_two_queries_per_step(
    service, state, django_assert_num_queries
):
    """A 4-step run: 2 queries per step, plus creating the run and ending it.

    Creating is one transaction: BEGIN, INSERT run, one bulk INSERT of the
    steps (the first one born started), COMMIT. Per step: UPDATE run (state,
    lease) + one UPDATE completing the step and starting the next. Then one
    UPDATE ending the run: 4 + 4 x 2 + 1 = 13, on SQLite and PostgreSQL alike.
    """
    with django_assert_num_queries(4 + 2 * 4 + 1):
        run = saga_start(saga="toy-order", operation_id="op-1", state=state)

    assert run.status == SagaRun.Status.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_a_step_that_changes_no_state_costs_one_query(
    service, state, django_assert_num_queries
):
    """Nothing new to save and a fresh lease: only the step UPDATE is needed.

    4 to create the run, 1 per step (completing it and starting the next, fenced
    by the lease), 1 to end it.
    """
    with django_assert_num_queries(4 + 1 * 2 + 1):
        run = saga_start(saga="toy-quiet", operation_id="op-1", state=state)

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

    run = saga_start(saga="toy-order", operation_id="op-1", state=state, execute=False)

    assert (run.lease_expires_at - frozen).total_seconds() == 600
