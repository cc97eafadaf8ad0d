"""Real servers stopped under the app: a private Redis and PostgreSQL of the test's own."""

import secrets

from errors_faults import FaultyUpstream
from fastapi.testclient import TestClient
from logging_app import create_app
from logging_shop import close_shop, make_shop

from course.services.private import private_server


def test_a_stopped_redis_degrades_to_the_database_with_a_warning(shop_database_url, json_lines):
    with private_server("redis") as redis_server, FaultyUpstream() as upstream:
        shop = make_shop(
            shop_database_url,
            redis_server.url,
            upstream.url,
            timeout=0.2,
            table=f"products_{secrets.token_hex(3)}",
            sleep=lambda s: None,
        )
        shop.create_schema()
        shop.add_product("KB-01", "Keyboard", 4999)
        client = TestClient(create_app(shop))
        assert client.get("/products/KB-01").json()["source"] == "database"
        assert client.get("/products/KB-01").json()["source"] == "cache"

        redis_server.stop()  # the fault: Redis is gone
        response = client.get("/products/KB-01")
        close_shop(shop)

    assert response.status_code == 200 and response.json()["source"] == "database"
    request_id = response.headers["x-request-id"]
    warning = next(
        line
        for line in json_lines()
        if line["request_id"] == request_id and line["level"] == "WARNING"
    )
    assert warning["message"] == "cache unavailable, reading the database"
    assert (warning["dependency"], warning["error"]) == ("redis", "DependencyUnavailable")


def test_a_stopped_postgres_is_a_503_logged_with_its_cause_and_request_id(redis_url, json_lines):
    waits: list[float] = []
    with private_server("postgres") as postgres, FaultyUpstream() as upstream:
        shop = make_shop(
            postgres.url,
            redis_url,
            upstream.url,
            timeout=0.5,
            table=f"products_{secrets.token_hex(3)}",
            sleep=waits.append,
        )
        shop.create_schema()
        shop.add_product("KB-01", "Keyboard", 4999)
        client = TestClient(create_app(shop))
        shop.cache.flushdb()  # this test's logical database: the read must reach PostgreSQL
        assert client.get("/products/KB-01").status_code == 200
        shop.cache.flushdb()

        postgres.stop()  # the fault: the database is gone, its pooled connection with it
        response = client.get("/products/KB-01")
        close_shop(shop)

    assert response.status_code == 503
    body = response.json()
    assert body["title"] == "A service we depend on is unavailable"
    assert "OperationalError" not in response.text and str(postgres.port) not in response.text
    assert len(waits) == 2, "three attempts, two backoffs"
    [error] = [
        line
        for line in json_lines()
        if line["request_id"] == body["request_id"] and line["level"] == "ERROR"
    ]
    assert error["dependency"] == "postgres" and error["status"] == 503
    assert "psycopg.OperationalError" in error["exc_info"]  # the cause chain is kept


def test_redis_own_retries_are_off_so_a_broken_cache_costs_one_connection_per_call(
    shop_database_url,
):
    import socket
    import threading

    # a "Redis" that accepts every connection and never answers: each try is one accept
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def accept_and_close() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # the listener was closed: the test is over
            accepted.append(connection)  # kept open, silent: the client's read times out

    threading.Thread(target=accept_and_close, daemon=True).start()
    port = listener.getsockname()[1]
    with FaultyUpstream() as upstream:
        shop = make_shop(
            shop_database_url,
            f"redis://127.0.0.1:{port}/0",
            upstream.url,
            timeout=0.2,
            table=f"products_{secrets.token_hex(3)}",
            sleep=lambda s: None,
        )
        shop.create_schema()
        shop.add_product("KB-01", "Keyboard", 4999)
        assert shop.product("KB-01")["source"] == "database"
        close_shop(shop)
    listener.close()
    for connection in accepted:
        connection.close()
    # one GET and one SET, each tried once (redis-py 8's `redis.Redis()` would try each 11 times)
    assert len(accepted) == 2, f"{len(accepted)} connections"
