"""Fixtures of the system tests: a shop to buy from, a webhook receiver, processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from orders.models import Product
from outbox.models import WebhookEndpoint
from outbox.signing import secret_generate
from tests.system.harness import Processes, WebhookReceiver
from tests.system.redis_server import BINARY as REDIS_SERVER
from tests.system.redis_server import RedisServer
from warehouse.services import stock_set

PRODUCTS = {
    "TEE-001": ("T-shirt", Decimal("20.00")),
    "MUG-001": ("Mug", Decimal("12.50")),
    "CAP-001": ("Cap", Decimal("15.00")),
}
# Enough that no checkout of the flow runs out: the flow is about crashes.
UNITS = 1000
BUYERS = 4


@dataclass(frozen=True)
class Shop:
    """What the seeded shop offers: SKUs to buy and buyers' API tokens."""

    skus: list[str]
    tokens: list[str]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A webhook consumer on 127.0.0.1, verifying signatures with its secret."""
    server = WebhookReceiver(secret=secret_generate()).start()
    yield server
    server.stop()


@pytest.fixture
def shop(transactional_db, django_user_model, receiver) -> Shop:
    """Products in stock, buyers with API tokens, and the receiver's endpoint.

    Committed (transactional_db), so that the service's processes see it.
    """
    for sku, (name, price) in PRODUCTS.items():
        Product.objects.create(sku=sku, name=name, price=price)
        stock_set(sku=sku, on_hand=UNITS)
    tokens = []
    for number in range(BUYERS):
        user = django_user_model.objects.create_user(
            f"buyer{number}", email=f"buyer{number}@example.com"
        )
        tokens.append(Token.objects.create(user=user).key)
    WebhookEndpoint.objects.create(url=receiver.url, secret=receiver.secret)
    return Shop(skus=list(PRODUCTS), tokens=tokens)


@pytest.fixture
def make_processes(
    transactional_db, tmp_path: Path
) -> Iterator[Callable[[dict[str, str]], Processes]]:
    """Return a factory of Processes; every process they started is stopped after
    the test, whatever happened, and the end of each log is printed (pytest shows
    it when the test fails). Set up after the database, so torn down before the
    database is flushed: no process of ours holds it then."""
    made: list[Processes] = []

    def make(env: dict[str, str]) -> Processes:
        log_dir = tmp_path / f"logs-{len(made)}"
        log_dir.mkdir()
        made.append(Processes(env=env, log_dir=log_dir))
        return made[-1]

    yield make
    for processes in made:
        processes.stop_all()
        for name in processes.started:
            print(f"--- {name} ---\n{processes.log_tail(name)}")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, on a free port; the test may stop and restart it."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()
