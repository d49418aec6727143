"""What a checkout costs the database: round trips, commits, new connections.

Counted by ``observability.roundtrips`` on every connection of every thread,
BEGIN, COMMIT, SAVEPOINT and ``executemany`` included, on transactional tests
(as in production, every atomic block is a real transaction). The figures are
the same on SQLite and PostgreSQL; each budget's docstring says where its
round trips go.
"""

from __future__ import annotations

import pytest

from observability.roundtrips import RoundTrips, count_round_trips
from orders.models import Order, OrderLine
from outbox.models import OutboxMessage
from sagas.models import SagaRun
from sagas.services import saga_resume
from tests.observability.traces import spans  # noqa: F401  (the fixture)
from tests.orders.api.conftest import checkout_body
from warehouse.models import Reservation, StockMovement

pytestmark = pytest.mark.django_db(transaction=True)

# Before: 60 round trips, 29 commits, 3 new connections (one per notification
# thread); out of stock 29 round trips and an order and a run left behind;
# the worker's accept path 14 round trips and 2 new connections.
HAPPY_ROUND_TRIPS, HAPPY_COMMITS = 30, 8
OUT_OF_STOCK_ROUND_TRIPS = 8
SOLD_OUT_ROUND_TRIPS = 4  # a SKU this process found short a moment ago
ACCEPT_ROUND_TRIPS = 12
# The domain tables a replay must not touch.
DOMAIN = ("orders_", "sagas_", "payments_", "warehouse_", "shipping_", "outbox_")


@pytest.fixture(autouse=True)
def quiet_relay(settings):
    """The outbox relay trigger (one task a second per process) is not counted."""
    settings.OUTBOX_RELAY_TRIGGER_SECONDS = 3600


@pytest.fixture
def warmed(alice_client, post_checkout):
    """One checkout first: content types and other first-use caches are filled."""
    post_checkout(alice_client)


def counted(call) -> tuple[object, RoundTrips]:
    with count_round_trips() as trips:
        result = call()
    return result, trips


def test_a_checkout_that_ships_costs_30_round_trips_and_8_commits(
    alice_client, post_checkout, warmed
):
    """Inline, 2 lines, to shipped and notified: 30 round trips, 8 commits.

    - the API, 3: the token; the key claimed (a commit); the key completed
      with the response (a commit); the 201 is built from what the checkout
      wrote, with no read back;
    - the order, its hold and its run, 8, one commit: BEGIN, the lines priced
      by the catalogue in their INSERT, the holds inserted where the units
      are, the stock rows (one executemany), the run, the order, its event,
      COMMIT;
    - the charge, 8, two commits: the processor's row (its own system), then
      BEGIN, the journal, our ledger row, the holds confirmed (the local
      step that follows needs no commit of its own), the order moved from
      created to reserved in one UPDATE, its two events in one INSERT, COMMIT;
    - the shipment, 10, two commits: the carrier's row, then BEGIN, the
      journal (the three messages written started, so none is ever sent
      twice), our shipment, the holds shipped, the stock rows, the
      movements, the order, its event, COMMIT;
    - the messages, 1, one commit: email, SMS and push are handed over (no
      database), then the journal records them with the run completed.
    """
    response, trips = counted(lambda: post_checkout(alice_client))

    assert response.status_code == 201
    assert response.json()["state"] == "shipped"
    assert trips.total <= HAPPY_ROUND_TRIPS, trips.summary()
    assert trips.commits <= HAPPY_COMMITS, trips.summary()
    assert trips.new_connections == 0, trips.summary()


def test_the_parallel_messages_open_no_connection_on_a_kept_pool(
    alice_client, post_checkout, warmed, settings
):
    """With members on the kept pool, its threads reuse their connections."""
    settings.SAGA_PARALLEL_EXECUTOR = "pool"
    post_checkout(alice_client)  # the pool's threads open theirs once

    response, trips = counted(lambda: post_checkout(alice_client))

    assert response.status_code == 201
    assert trips.new_connections == 0, trips.summary()
    assert trips.total <= HAPPY_ROUND_TRIPS, trips.summary()


def test_an_out_of_stock_answer_costs_8_round_trips_and_writes_nothing(
    alice_client, post_checkout, warmed
):
    """409 at once: the token, the key claimed, BEGIN, the lines priced, the
    holds inserted where the units are (one short), this operation's holds
    read (is it a repeat?), ROLLBACK, the key completed with the 409."""
    body = checkout_body(lines=[{"sku": "MUG-001", "quantity": 6}])
    before = domain_rows()

    response, trips = counted(lambda: post_checkout(alice_client, body))

    assert response.status_code == 409
    assert trips.total <= OUT_OF_STOCK_ROUND_TRIPS, trips.summary()
    assert trips.commits == 2, trips.summary()  # the key's claim and answer
    # No order, run, hold, movement or event: only the key keeps the answer.
    assert domain_rows() == before


def test_a_sku_just_seen_sold_out_is_refused_with_4_round_trips(
    alice_client, post_checkout, warmed
):
    """The flash sale's late buyers: the token, the key claimed, one read of the
    shelf (no transaction), the key completed with the 409. At least 5 times
    cheaper than a checkout that ships (30)."""
    body = checkout_body(lines=[{"sku": "MUG-001", "quantity": 6}])
    post_checkout(alice_client, body)  # this process sees the mug short

    response, trips = counted(lambda: post_checkout(alice_client, body))

    assert response.status_code == 409
    assert response.json()["skus"] == ["MUG-001"]
    assert trips.total <= SOLD_OUT_ROUND_TRIPS, trips.summary()
    assert 5 * trips.total <= HAPPY_ROUND_TRIPS
    assert "BEGIN" not in [s.split()[0] for s in trips.statements]


def domain_rows() -> dict[str, int]:
    """Count the rows a checkout writes, table by table."""
    models = (Order, OrderLine, SagaRun, Reservation, StockMovement, OutboxMessage)
    return {model._meta.label: model.objects.count() for model in models}


def test_a_replay_costs_at_most_5_round_trips_and_touches_no_domain_table(
    alice_client, post_checkout
):
    post_checkout(alice_client, key="again")

    response, trips = counted(lambda: post_checkout(alice_client, key="again"))

    assert response["Idempotent-Replayed"] == "true"
    assert trips.total <= 5, trips.summary()
    touched = [t for t in trips.by_table() if t.startswith(DOMAIN)]
    assert touched == [], trips.summary()


def test_the_workers_accept_path_costs_12_round_trips(
    alice_client, post_checkout, warmed, settings
):
    """202: the token, the key claimed, the one transaction of the order, its
    hold and its run (8), the task queued (the ORM broker's row), the key
    completed. The stock is held in the request: an out-of-stock answer
    comes at once, in worker mode too."""
    settings.CHECKOUT_EXECUTION = "worker"

    response, trips = counted(lambda: post_checkout(alice_client))

    assert response.status_code == 202
    assert trips.total <= ACCEPT_ROUND_TRIPS, trips.summary()
    assert trips.new_connections == 0, trips.summary()


def test_each_step_in_the_worker_commits_its_bookkeeping_once_at_most(
    alice_client, post_checkout, warmed, settings
):
    """The worker's run: the run read, its lease taken, then one journal write
    per commit: the charge with the confirmation, the shipment, the messages
    with the end. Seven steps, three commits of the journal."""
    settings.CHECKOUT_EXECUTION = "worker"
    post_checkout(alice_client)
    run = SagaRun.objects.filter(status=SagaRun.Status.RUNNING).get()

    result, trips = counted(lambda: saga_resume(run_id=run.pk))

    assert result.completed
    journal_writes = [
        sql for sql in trips.statements if sql.startswith('UPDATE "sagas_sagarun"')
    ]
    steps_after_the_hold = 6
    # The lease, then one write per commit: never one per step.
    assert len(journal_writes) == 1 + 3 <= 1 + steps_after_the_hold, trips.summary()
    assert trips.commits <= 1 + 3 + 2, trips.summary()  # + processor, carrier


def test_tracing_on_costs_the_happy_path_no_round_trip(
    spans,  # noqa: F811  (before the client: Django's instrumentation is in place)
    alice_client,
    post_checkout,
    warmed,
):
    """The contexts a trace needs ride in rows already written: the run's and
    the outbox messages' INSERTs. Same budget, traced end to end."""
    response, trips = counted(lambda: post_checkout(alice_client))

    assert response.status_code == 201
    assert trips.total <= HAPPY_ROUND_TRIPS, trips.summary()
    assert trips.commits <= HAPPY_COMMITS, trips.summary()
    assert trips.new_connections == 0, trips.summary()
    assert spans.named("saga.run checkout")
    assert SagaRun.objects.order_by("-id").first().trace_id
