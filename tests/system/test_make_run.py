"""``make run``'s web server takes a burst: 40 buyers at once, every one answered.

Django's development server resets connections under such a burst (its listen
backlog is small); ``make run`` serves with gunicorn and threads instead
(``config/gunicorn_dev.py``). This starts that same server, on the embedded
default (SQLite, the ORM broker, sagas in the workers), and releases 40
checkouts together.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.system.flow import ADDRESS
from tests.system.harness import (
    child_env,
    database_url,
    free_port,
    http_request,
    responds,
    wait_until,
)

BUYERS = 40


@pytest.mark.system
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="make run serves the embedded default"
)
@pytest.mark.timeout(180, method="signal")
@pytest.mark.django_db(transaction=True)
def test_forty_buyers_at_once_all_get_an_answer(shop, make_processes):
    """No reset connection, no server error: each gets 202 or a 409 for stock."""
    port = free_port()
    processes = make_processes(
        child_env(
            DATABASE_URL=database_url(connection.settings_dict),
            CHECKOUT_EXECUTION="worker",
            PORT=str(port),
            CHECKOUT_THROTTLE_RATE="100000/min",
            SECRET_KEY="make-run-test-secret-key",
            LOG_LEVEL="WARNING",
        )
    )
    processes.start(
        "gunicorn",
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "config/gunicorn_dev.py",
        "config.wsgi",
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_until(
        lambda: responds(f"{base_url}/healthz"),
        timeout=60,
        message=lambda: "gunicorn is not ready:\n" + processes.log_tail("gunicorn"),
    )
    barrier = threading.Barrier(BUYERS)

    def buy(number: int) -> int | str:
        barrier.wait(timeout=30)
        try:
            return http_request(
                "POST",
                f"{base_url}/api/orders/",
                body={
                    "lines": [
                        {"sku": shop.skus[number % len(shop.skus)], "quantity": 1}
                    ],
                    "payment_token": "tok_visa",
                    "shipping_address": ADDRESS,
                },
                headers={
                    "Authorization": f"Token {shop.tokens[number % len(shop.tokens)]}",
                    "Idempotency-Key": f"burst-{number}",
                },
                timeout=60,
            ).status
        except OSError as error:  # a reset or refused connection
            return type(error).__name__

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        answers = Counter(pool.map(buy, range(BUYERS)))

    assert set(answers) <= {202, 409}, answers
    assert sum(answers.values()) == BUYERS
