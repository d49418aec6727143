"""Idempotency-Key middleware: the database work it adds to a request.

These tests run outside a test transaction, as requests do in production, so
that no savepoints are counted. Measured: first use 4 queries (2 of them the
middleware's claim and store, 1 the token lookup the view reuses); replay 3
with a token, 4 with a session.
"""

from __future__ import annotations

import pytest

from tests.idempotency.conftest import URLCONF, session_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(URLCONF)]

# A replay reads the key store and what authentication needs, nothing else.
REPLAY_TABLES = ("idempotency_", "authtoken_token", "auth_user", "django_session")


def foreign_queries(captured) -> list[str]:
    """Return the SQL of the captured queries that touch no allowed table."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if not any(table in query["sql"] for table in REPLAY_TABLES)
    ]


def key_store_queries(captured) -> list[str]:
    """Return the SQL of the captured queries on the key store."""
    return [q["sql"] for q in captured.captured_queries if "idempotency_" in q["sql"]]


def test_first_use_claims_and_stores_with_two_queries(
    alice_token_client, send, django_assert_num_queries
):
    """Token lookup, claim, the view's row, store: 4 in all.

    The view authenticates with the token the middleware already looked up
    (``config.authentication.RequestTokenAuthentication``): no second lookup.
    """
    with django_assert_num_queries(4) as captured:
        send(alice_token_client)

    assert [sql.split()[0] for sql in key_store_queries(captured)] == [
        "INSERT",
        "UPDATE",
    ]
    sql = [query["sql"] for query in captured.captured_queries]
    assert len([q for q in sql if "authtoken_token" in q]) == 1


def test_replay_with_token_auth_takes_three_queries(
    alice_token_client, send, django_assert_max_num_queries
):
    """Token lookup, the refused claim, the read of the stored response."""
    send(alice_token_client)

    with django_assert_max_num_queries(3) as captured:
        send(alice_token_client)

    assert foreign_queries(captured) == []


def test_replay_with_session_auth_takes_four_queries(
    alice, send, django_assert_max_num_queries
):
    """Session and user lookups, the refused claim, the read of the response."""
    client = session_client(alice)
    send(client)

    with django_assert_max_num_queries(4) as captured:
        send(client)

    assert foreign_queries(captured) == []
