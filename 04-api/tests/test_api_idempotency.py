"""Idempotency keys: a retried POST creates one book, also when two retries race."""

from __future__ import annotations

import threading
import time

from api_books import count_books
from api_samples import SAMPLE_BOOK
from sqlalchemy import text
from sqlalchemy.orm import Session


def books_in(engine) -> int:
    with Session(engine) as session:
        return count_books(session=session)


def test_a_retried_post_with_the_same_key_creates_once_and_replays(api, engine):
    headers = {"Idempotency-Key": '"order-7f3a"'}
    first = api.post("/api/v1/books", json=SAMPLE_BOOK, headers=headers)
    retry = api.post("/api/v1/books", json=SAMPLE_BOOK, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert books_in(engine) == 1


def test_without_a_key_a_retry_creates_a_second_book(api, engine):
    api.post("/api/v1/books", json=SAMPLE_BOOK)
    api.post("/api/v1/books", json=SAMPLE_BOOK)
    assert books_in(engine) == 2  # why clients that retry POST need the key


def test_the_same_key_with_another_body_is_a_422_problem(api, engine):
    headers = {"Idempotency-Key": "k-1"}
    api.post("/api/v1/books", json=SAMPLE_BOOK, headers=headers)
    other = api.post("/api/v1/books", json=SAMPLE_BOOK | {"year": 1966}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert books_in(engine) == 1


def test_an_empty_key_is_a_400_problem(api, engine):
    response = api.post("/api/v1/books", json=SAMPLE_BOOK, headers={"Idempotency-Key": '""'})
    assert response.status_code == 400
    assert books_in(engine) == 0


def waiting_backends(engine, count: int, deadline_seconds: float = 30) -> None:
    """Return once `count` other sessions wait on a lock (polled, with a deadline)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + deadline_seconds
    with engine.connect() as connection:
        while connection.execute(query).scalar_one() < count:
            assert time.monotonic() < deadline, f"fewer than {count} requests waited on a lock"
            connection.rollback()  # pg_stat_activity is a snapshot per transaction: a new one
            time.sleep(0.01)


def test_two_concurrent_retries_create_one_book(make_client, engine):
    # two connections, as two retries would be; the retry waits for the first request's key
    # from its own start until the first commits, which on a loaded machine can pass the 2 s
    # default and make it a 409 (that case has its own test below): here it may wait 30 s
    clients = [make_client(key_wait_ms=30_000), make_client(key_wait_ms=30_000)]
    responses: list = [None, None]

    def send(number: int) -> None:
        responses[number] = clients[number].post(
            "/api/v1/books", json=SAMPLE_BOOK, headers={"Idempotency-Key": "race-1"}
        )

    # hold inserts into books, so both requests are in flight at once: the first claims the
    # key and waits for the table, the second waits for the first's key
    with engine.connect() as blocker, blocker.begin():
        blocker.execute(text("LOCK TABLE books IN EXCLUSIVE MODE"))
        threads = [threading.Thread(target=send, args=(number,)) for number in (0, 1)]
        for thread in threads:
            thread.start()
        waiting_backends(engine, 2)
    for thread in threads:
        thread.join(timeout=30)
    assert [response.status_code for response in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert books_in(engine) == 1


def test_a_retry_that_waits_too_long_for_its_key_is_a_409_problem(make_client, engine, framework):
    # the first request with the key is still running (its transaction holds the key's row):
    # a retry waits at most key_wait_ms for it, then hears "in progress", not a pool timeout
    api = make_client(key_wait_ms=100)
    client = "127.0.0.1" if framework == "flask" else "testclient"  # the peer each client shows
    with engine.connect() as first, first.begin():
        first.execute(
            text("INSERT INTO idempotency_keys (client, key, fingerprint) VALUES (:c, 'k', 'x')"),
            {"c": client},
        )
        response = api.post("/api/v1/books", json=SAMPLE_BOOK, headers={"Idempotency-Key": "k"})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) >= 1
    assert books_in(engine) == 0


def test_an_exhausted_connection_pool_is_a_503_problem(api, monkeypatch):
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    def exhausted(*_args, **_kwargs):
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")

    monkeypatch.setattr("api_flask_books.get_book", exhausted)
    monkeypatch.setattr("api_fastapi_books.get_book", exhausted)
    response = api.get("/api/v1/books/1")
    assert response.status_code == 503  # an overload, not a bug: retry later, not a 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "QueuePool" not in response.text
    assert int(response.headers["Retry-After"]) >= 1
