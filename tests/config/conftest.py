"""Fixtures of the config tests: the orders' catalogue, and a database gone away."""

import pytest
from django.db import connection

from tests.orders.conftest import buyer, catalog  # noqa: F401
from tests.system.harness import free_port


@pytest.fixture
def database_down(transactional_db):
    """Point this thread's connection at a database that cannot be reached.

    Set up after transactional_db, so restored before it flushes the tables.
    """
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/directory/db.sqlite3"
    else:
        connection.settings_dict["PORT"] = str(free_port())
    yield
    connection.close()
    connection.settings_dict.update(saved)
