"""Rate limiting with Redis (429 + Retry-After) and CORS for one origin, in both apps."""

from __future__ import annotations

import math
import time

import pytest
import redis
from api_ratelimit import RateLimiter

ALLOWED = "http://localhost:5173"


def test_the_request_over_the_limit_is_a_429_with_retry_after(make_client):
    api = make_client(rate_limit=3, rate_window_seconds=60)
    statuses = [api.get("/api/v1/books").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/api/v1/books")
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_health_is_not_rate_limited(make_client):
    api = make_client(rate_limit=1)
    assert [api.get("/health").status_code for _ in range(3)] == [200, 200, 200]


def test_two_apps_share_one_count_through_redis(make_client):
    # two processes of one service: the limit holds across them, since Redis keeps the count
    first, second = make_client(rate_limit=2), make_client(rate_limit=2)
    assert first.get("/api/v1/books").status_code == 200
    assert second.get("/api/v1/books").status_code == 200
    assert first.get("/api/v1/books").status_code == 429


def test_the_window_ends_when_its_key_expires(redis_url, unique_name):
    client = redis.Redis.from_url(redis_url)
    key = f"{unique_name}rate:c"
    limiter = RateLimiter(client, prefix=unique_name, limit=1, window_seconds=60)
    assert limiter.check("c").allowed
    assert 0 < client.pttl(key) <= 60_000  # the first request starts a window that expires
    client.pexpire(key, 30_000)  # as if 30 s of the window had gone by
    refused = limiter.check("c")
    assert not refused.allowed
    assert 0 < client.pttl(key) <= 30_000  # a refused request does not extend the window
    assert refused.retry_after == math.ceil(client.pttl(key) / 1000)
    client.pexpire(key, 20)  # the window's last 20 ms: Redis itself removes the key
    deadline = time.monotonic() + 5
    while client.exists(key) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert limiter.check("c").allowed  # a new window, with its own expiry
    assert 0 < client.pttl(key) <= 60_000
    client.close()


def test_a_redis_outage_lets_requests_through(make_client):
    # fail open, by choice: an unreachable Redis must not take the API down with it
    api = make_client(redis_url="redis://127.0.0.1:9/0", rate_limit=1)
    assert [api.get("/api/v1/books").status_code for _ in range(2)] == [200, 200]
    assert api.get("/ready").json()["checks"]["redis"] == "unavailable"


def test_cors_allows_the_front_end_origin(api):
    response = api.get("/api/v1/books", headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_cors_ignores_any_other_origin(api):
    response = api.get("/api/v1/books", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_request_without_origin_gets_no_cors_grant(api):
    response = api.get("/api/v1/books")  # curl, a server, a same-origin page: no Origin header
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("origin", [ALLOWED, "https://evil.example"])
def test_an_answer_that_depends_on_origin_says_vary_origin(api, origin):
    # a shared cache must not hand one origin's answer to another (Fetch, CORS and HTTP caches)
    response = api.get("/api/v1/books", headers={"Origin": origin})
    assert "origin" in {value.strip().lower() for value in response.headers["Vary"].split(",")}


def test_a_preflight_for_a_put_with_if_match_is_allowed(api):
    response = api.options(
        "/api/v1/books/1",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "if-match, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]


def test_preflights_are_not_counted_against_the_rate_limit(make_client):
    api = make_client(rate_limit=2)
    preflight = {"Origin": ALLOWED, "Access-Control-Request-Method": "PUT"}
    statuses = [api.options("/api/v1/books/1", headers=preflight).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]  # a refused preflight is a CORS failure in the browser
    assert api.get("/api/v1/books").status_code == 200


def test_a_throttled_client_is_refused_before_its_body_is_read(make_client):
    api = make_client(rate_limit=1)
    api.get("/api/v1/books")
    malformed = api.post(
        "/api/v1/books", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 429  # over the limit: not worth parsing


def test_a_preflight_from_another_origin_gets_no_grant_and_the_same_answer(api):
    response = api.options(
        "/api/v1/books/1",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status_code == 200  # both apps: the path's plain OPTIONS answer
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "PUT" in response.headers["Allow"]


@pytest.mark.parametrize("origin", [None, "https://evil.example"])
def test_no_cors_header_at_all_without_an_allowed_origin(api, origin):
    headers = {"Origin": origin} if origin else {}
    response = api.get("/api/v1/books", headers=headers)
    assert [name for name in response.headers if name.lower().startswith("access-control-")] == []
