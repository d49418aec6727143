"""Settings helpers: connections to Redis and PostgreSQL give up instead of hanging."""

from __future__ import annotations

from config.settings import database_config, redis_url_with_timeouts


def test_redis_urls_get_socket_timeouts():
    url = redis_url_with_timeouts("redis://127.0.0.1:6379/3", connect=2, read=5)

    assert url == "redis://127.0.0.1:6379/3?socket_connect_timeout=2&socket_timeout=5"


def test_timeouts_already_in_the_url_are_kept():
    url = redis_url_with_timeouts(
        "redis://h:1/0?socket_timeout=9&db=0", connect=2, read=5
    )

    assert "socket_timeout=9" in url
    assert "socket_connect_timeout=2" in url


def test_postgresql_connections_time_out():
    config = database_config("postgres://u@127.0.0.1:5432/orders")

    assert config["OPTIONS"]["connect_timeout"] == 5
