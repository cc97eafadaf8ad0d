"""A private server is a real server of its own, gone with its data when the block ends."""

from __future__ import annotations

import psycopg
import pytest
import redis

from course.services.private import private_server


def test_private_redis_takes_extra_arguments_and_is_gone_after_the_block() -> None:
    with private_server("redis", extra_args=["--maxmemory", "3mb"]) as server:
        client = redis.Redis.from_url(server.url)
        assert client.config_get("maxmemory") == {"maxmemory": str(3 * 1024 * 1024)}
        process, home = server.process, server.home
        client.close()
    assert not process.is_running()
    assert not home.exists()


def test_a_stopped_private_server_refuses_connections_and_cleans_up_as_usual() -> None:
    with private_server("redis") as server:
        server.stop()
        client = redis.Redis.from_url(server.url, socket_connect_timeout=1)
        with pytest.raises(redis.ConnectionError):
            client.ping()
        server.stop()  # twice does nothing
    assert not server.home.exists()


def test_private_postgres_answers_a_query() -> None:
    with private_server("postgres") as server:
        url = server.url.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
    assert not server.process.is_running()


def test_private_server_passes_its_environment_and_stops_when_the_block_raises() -> None:
    marker = {"COURSE_PRIVATE_MARKER": "yes"}
    with pytest.raises(RuntimeError, match="inside"), private_server("s3", env=marker) as server:
        assert server.process.environ()["COURSE_PRIVATE_MARKER"] == "yes"
        raise RuntimeError("inside the block")
    assert not server.process.is_running()
    assert not server.home.exists()


def test_an_unknown_kind_is_refused_with_the_kinds_there_are() -> None:
    with pytest.raises(ValueError, match="postgres, redis, s3"), private_server("mysql"):
        pass
