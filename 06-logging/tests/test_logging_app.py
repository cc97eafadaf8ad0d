"""The app over real PostgreSQL, Redis and a faulty upstream: responses and log lines together."""

import secrets
import time

import httpx2
import pytest
from errors_faults import FaultyUpstream
from fastapi.testclient import TestClient
from logging_app import create_app
from logging_flask import create_flask_app
from logging_shop import close_shop, make_shop


@pytest.fixture
def upstream():
    with FaultyUpstream(delay=5) as server:
        yield server


@pytest.fixture
def waits():
    return []


@pytest.fixture
def timeout():
    """The shop's timeouts: so long that no answer of a loaded machine counts as a timeout.

    The tests of timeouts set 0.2 s with `parametrize`: their upstream or query takes 5 s.
    """
    return 2.0


@pytest.fixture
def shop(shop_database_url, redis_url, upstream, waits, timeout):
    shop = make_shop(
        shop_database_url,
        redis_url,
        upstream.url,
        table=f"products_{secrets.token_hex(3)}",
        timeout=timeout,
        sleep=waits.append,
        fail_max=3,
        reset_timeout=30,  # long: on a loaded machine 50 ms pass between two requests
    )
    shop.create_schema()
    shop.add_product("KB-01", "Keyboard", 4999)
    yield shop
    close_shop(shop)


@pytest.fixture
def client(shop):
    return TestClient(create_app(shop))


@pytest.fixture(params=["fastapi", "flask"])
def app_client(request, shop):
    """The FastAPI app or the Flask app over the same shop: both must behave the same."""
    if request.param == "fastapi":
        yield TestClient(create_app(shop))
        return
    transport = httpx2.WSGITransport(app=create_flask_app(shop))
    with httpx2.Client(transport=transport, base_url="http://flask.local") as client:
        yield client


def lines_of(json_lines, request_id):
    return [line for line in json_lines() if line.get("request_id") == request_id]


def test_the_request_id_is_in_the_header_and_every_log_line_of_the_request(app_client, json_lines):
    first = app_client.get("/products/KB-01")
    second = app_client.get("/products/KB-01")
    assert (first.json()["source"], second.json()["source"]) == ("database", "cache")
    request_id = first.headers["x-request-id"]
    [access] = lines_of(json_lines, request_id)
    assert access["message"] == "GET /products/KB-01 200" and access["status"] == 200
    assert second.headers["x-request-id"] != request_id


def test_a_well_formed_client_request_id_is_kept_and_a_malformed_one_replaced(app_client):
    kept = app_client.get("/products/KB-01", headers={"X-Request-ID": "client-id-1234"})
    replaced = app_client.get("/products/KB-01", headers={"X-Request-ID": "bad\nid injected"})
    assert kept.headers["x-request-id"] == "client-id-1234"
    assert "\n" not in replaced.headers["x-request-id"]
    assert len(replaced.headers["x-request-id"]) == 16


def test_an_unknown_product_is_a_404_problem_logged_at_info(app_client, json_lines):
    response = app_client.get("/products/NOPE")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["detail"] == "no product with sku 'NOPE'"
    [refused, _access] = lines_of(json_lines, body["request_id"])
    assert refused["level"] == "INFO" and "exc_info" not in refused


def test_a_bug_is_a_safe_500_while_the_log_keeps_the_traceback_masked(app_client, json_lines):
    response = app_client.get("/boom")
    body = response.json()
    assert response.status_code == 500 and body["detail"] == "Internal error"
    assert "tok_live_123" not in response.text and "RuntimeError" not in response.text
    [_crumb, error, access] = lines_of(json_lines, body["request_id"])
    assert error["level"] == "ERROR" and error["message"] == "unhandled error"
    assert "RuntimeError: bug: token=[REDACTED]" in error["exc_info"]
    assert access["status"] == 500
    assert "tok_live_123" not in json_lines.raw()


def test_a_card_number_and_the_authorization_header_never_reach_the_log(app_client, json_lines):
    response = app_client.post(
        "/payments",
        json={"card_number": "4111111111111111", "amount_cents": 5},
        headers={"Authorization": "Bearer sk-very-secret"},
    )
    assert response.json() == {"status": "accepted", "last4": "1111"}
    raw = json_lines.raw()
    assert "4111111111111111" not in raw and "sk-very-secret" not in raw
    payment = next(line for line in json_lines() if line["message"] == "payment received")
    assert payment["payment"] == {"card_number": "[REDACTED]", "amount_cents": 5}


def test_the_access_line_keeps_only_allow_listed_headers(app_client, json_lines):
    # a header no denylist knows by name: only an allow-list keeps it out
    app_client.get(
        "/products/KB-01",
        headers={"X-Shop-Signature": "sig-unknown-to-filter", "User-Agent": "pytest-agent"},
    )
    access = next(line for line in json_lines() if line["message"] == "GET /products/KB-01 200")
    assert access["headers"]["user-agent"] == "pytest-agent"
    assert set(access["headers"]) <= {"user-agent", "content-type", "content-length", "accept"}
    assert "sig-unknown-to-filter" not in json_lines.raw()


def eventually(condition, seconds: float = 2.0) -> bool:
    """Poll until condition() holds or the deadline passes: a server thread may lag the client."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


@pytest.mark.parametrize("timeout", [0.2])
def test_a_slow_upstream_is_retried_then_answered_with_504(client, upstream, waits, json_lines):
    upstream.mode = "slow"
    response = client.get("/rates/EUR")
    assert response.status_code == 504
    assert len(waits) == 2  # three attempts, two backoffs
    assert eventually(lambda: upstream.requests == 3), f"{upstream.requests} requests"
    [error] = [
        line
        for line in lines_of(json_lines, response.json()["request_id"])
        if line["level"] == "ERROR"
    ]
    assert error["dependency"] == "rates" and "ReadTimeout" in error["exc_info"]


def test_an_upstream_4xx_is_a_logged_error_a_404_a_refusal_a_429_a_retried_outage(
    client, upstream, waits, json_lines
):
    upstream.mode = "status"
    upstream.status = 400  # our request was wrong: a bug, so a 500 logged at ERROR
    bug = client.get("/rates/EUR")
    assert bug.status_code == 500 and waits == []
    [error] = [
        line for line in lines_of(json_lines, bug.json()["request_id"]) if line["level"] != "INFO"
    ]
    assert error["level"] == "ERROR" and "HTTPStatusError" in error["exc_info"]
    upstream.status = 404
    missing = client.get("/rates/XXX")
    assert missing.status_code == 404 and waits == []
    levels = {line["level"] for line in lines_of(json_lines, missing.json()["request_id"])}
    assert levels == {"INFO"}
    upstream.status = 429
    assert client.get("/rates/EUR").status_code == 503 and len(waits) == 2  # retried


def test_a_dropped_connection_trips_the_breaker_which_then_fails_fast(client, upstream, waits):
    upstream.mode = "drop"
    assert client.get("/rates/EUR").status_code == 502  # 3 attempts: fail_max reached
    fast = client.get("/rates/GBP")
    assert fast.status_code == 503 and fast.headers["retry-after"] == "30"
    assert "/rates/GBP" not in upstream.paths, "an open breaker must not call the upstream"


def test_the_breaker_closes_again_once_the_upstream_recovers(client, upstream, shop):
    upstream.mode = "drop"
    client.get("/rates/EUR")
    assert shop.breakers["rates"].current_state == "open"
    upstream.mode = "ok"
    shop.breakers["rates"].reset_timeout = 0  # as if the 30 s had passed: half-open next
    assert client.get("/rates/EUR").json() == {"currency": "EUR", "rate": 1.08}
    assert shop.breakers["rates"].current_state == "closed"


@pytest.mark.parametrize("timeout", [0.2])
def test_a_query_slower_than_statement_timeout_is_cancelled_and_not_retried(shop):
    import sqlalchemy as sa
    from errors_domain import DependencyTimeout, translated

    # the shop's timeout is 0.2 s here, so PostgreSQL cancels the query itself after 200 ms
    with (
        pytest.raises(DependencyTimeout) as caught,
        translated("postgres"),
        shop.engine.connect() as db,
    ):
        db.execute(sa.text("SELECT pg_sleep(5)"))
    assert caught.value.__cause__.orig.sqlstate == "57014"  # matched by code, not by text
    assert not caught.value.transient  # a too-slow query is slow again: never retried


def test_the_flask_app_refuses_a_malformed_payment_with_a_422_problem(shop, json_lines):
    transport = httpx2.WSGITransport(app=create_flask_app(shop))
    with httpx2.Client(transport=transport, base_url="http://flask.local") as client:
        response = client.post("/payments", json={"card_number": 4111111111111111})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "4111111111111111" not in response.text + json_lines.raw()
