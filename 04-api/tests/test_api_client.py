"""The client against both apps: pages, problems as errors, retries only where safe."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest
from api_client import BooksClient, ProblemError, backoff_delay, make_http_client
from api_samples import SAMPLE_BOOK, SAMPLE_BOOKS


class FakeClock:
    """Time that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds


class FailingFirst(httpx2.BaseTransport):
    """A fault injector: the first `failures` requests fail as `fault`, then the app answers."""

    def __init__(
        self, app_transport: httpx2.BaseTransport, failures: int, fault: str, retry_after: str
    ) -> None:
        self.app_transport, self.failures, self.fault = app_transport, failures, fault
        self.retry_after = retry_after
        self.sent: list[str] = []
        self.slept: list[float] = []  # the client's injected sleep: what it would have waited

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.sent.append(request.method)
        if len(self.sent) <= self.failures:
            if self.fault == "connect":
                raise httpx2.ConnectError("connection refused", request=request)
            if self.fault == "after-write":  # the server did the work; the answer was lost
                self.app_transport.handle_request(request)
                raise httpx2.ReadTimeout("timed out", request=request)
            return httpx2.Response(503, headers={"Retry-After": self.retry_after})
        return self.app_transport.handle_request(request)


def books_client(
    api: httpx2.Client, *, failures: int = 0, fault: str = "connect", retry_after: str = "3"
):
    """A BooksClient on `api`'s app, its transport failing first; its sleeps recorded, not slept."""
    transport = FailingFirst(api._transport, failures, fault, retry_after)
    http = httpx2.Client(transport=transport, base_url="http://testserver")
    client = BooksClient(http, sleep=transport.slept.append, rng=random.Random(7))
    return client, transport


def test_iterate_follows_every_page(api):
    client, _ = books_client(api)
    for book in SAMPLE_BOOKS:
        client.create(book)
    books = list(client.iterate(limit=2, sort="year"))
    assert [book["year"] for book in books] == sorted(book["year"] for book in SAMPLE_BOOKS)


def test_a_problem_becomes_a_problem_error(api):
    client, _ = books_client(api)
    with pytest.raises(ProblemError) as caught:
        client.get(424242)
    assert caught.value.status == 404
    assert caught.value.problem["title"] == "Not Found"


def test_a_stale_etag_raises_412(api):
    client, _ = books_client(api)
    book = client.create(SAMPLE_BOOK)
    _, etag = client.get(book["id"])
    client.replace(book["id"], SAMPLE_BOOK | {"price_cents": 1}, etag=etag)
    with pytest.raises(ProblemError) as caught:
        client.replace(book["id"], SAMPLE_BOOK | {"price_cents": 2}, etag=etag)
    assert caught.value.status == 412


def test_a_get_is_retried_after_refused_connections(api):
    client, transport = books_client(api, failures=2, fault="connect")
    book = client.create(SAMPLE_BOOK)
    assert client.get(book["id"])[0] == book
    assert transport.sent == ["POST", "POST", "POST", "GET"]
    assert len(client.waits) == 2


def test_a_503_with_retry_after_is_waited_for_then_retried(api):
    client, transport = books_client(api, failures=1, fault="503")
    assert list(client.iterate()) == []
    assert transport.sent == ["GET", "GET"]
    # the server's 3 s, slept for; the backoff (Random(7)) would have been under 0.1 s
    assert transport.slept == client.waits == [3.0]


def test_a_retry_after_past_the_deadline_raises_at_once(api):
    client, transport = books_client(api, failures=1, fault="503", retry_after="3600")
    with pytest.raises(ProblemError) as caught:
        list(client.iterate())
    # waiting an hour breaks the caller's deadline; retrying early earns another 503
    assert (caught.value.status, caught.value.retry_after) == (503, 3600.0)
    assert transport.sent == ["GET"] and transport.slept == []


def test_a_retry_after_as_an_http_date_is_honoured(api):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=4), usegmt=True)
    client, transport = books_client(api, failures=1, fault="503", retry_after=when)
    assert list(client.iterate()) == []
    assert len(transport.slept) == 1 and 2 <= transport.slept[0] <= 4  # RFC 9110, 10.2.3


def test_the_deadline_bounds_every_retry_and_wait(api):
    clock = FakeClock()
    transport = FailingFirst(api._transport, failures=100, fault="connect", retry_after="0")
    http = httpx2.Client(transport=transport, base_url="http://testserver")
    client = BooksClient(http, attempts=100, deadline_seconds=3.0, sleep=clock.sleep,
                         clock=clock.now, backoff_base=0.5, rng=random.Random(7))  # fmt: skip
    with pytest.raises(httpx2.ConnectError):
        client.get(1)
    assert clock.time <= 3.0  # gave up within the deadline, not after 100 attempts
    assert 1 < len(transport.sent) < 100


def test_an_unusable_url_is_not_retried():
    client = BooksClient(make_http_client("localhost:8000"), sleep=pytest.fail)
    with pytest.raises(httpx2.UnsupportedProtocol):  # a mistake that no retry can heal
        client.get(1)
    assert client.waits == []


def test_a_put_whose_answer_was_lost_reports_the_write_that_happened(api):
    # the retry's If-Match names the old version, so the server says 412; the book is ours
    client, transport = books_client(api)
    book = client.create(SAMPLE_BOOK)
    transport.failures, transport.fault = len(transport.sent) + 1, "after-write"
    changed, etag = client.replace(book["id"], SAMPLE_BOOK | {"price_cents": 1}, etag='"1"')
    assert transport.sent[-3:] == ["PUT", "PUT", "GET"]  # the GET checks whose write it was
    assert (changed["price_cents"], etag) == (1, '"2"')


def test_a_put_that_lost_to_another_writer_still_raises_412(api):
    client, transport = books_client(api)
    book = client.create(SAMPLE_BOOK)
    client.replace(book["id"], SAMPLE_BOOK | {"price_cents": 5}, etag='"1"')  # someone else
    transport.failures, transport.fault = len(transport.sent) + 1, "connect"
    with pytest.raises(ProblemError) as caught:
        client.replace(book["id"], SAMPLE_BOOK | {"price_cents": 1}, etag='"1"')
    assert caught.value.status == 412


def test_a_delete_whose_answer_was_lost_succeeds(api):
    client, transport = books_client(api)
    book = client.create(SAMPLE_BOOK)
    transport.failures, transport.fault = len(transport.sent) + 1, "after-write"
    client.delete(book["id"], etag='"1"')  # the retry's 404 means "already done"
    assert transport.sent[-2:] == ["DELETE", "DELETE"]


def test_a_key_in_a_lower_case_header_still_makes_a_post_retryable(api):
    client, transport = books_client(api, failures=1, fault="after-write")
    client.request("post", "/api/v1/books", json=SAMPLE_BOOK, headers={"idempotency-key": "k1"})
    assert transport.sent == ["POST", "POST"]
    assert len(list(client.iterate())) == 1


def test_a_post_whose_answer_was_lost_is_retried_and_creates_once(api):
    client, transport = books_client(api, failures=1, fault="after-write")
    client.create(SAMPLE_BOOK)  # the first attempt's book exists; the retry replays it
    assert transport.sent == ["POST", "POST"]
    assert len(list(client.iterate())) == 1


def test_a_post_without_a_key_is_never_retried(api):
    client, transport = books_client(api, failures=1, fault="after-write")
    with pytest.raises(httpx2.ReadTimeout):
        client.request("POST", "/api/v1/books", json=SAMPLE_BOOK)
    assert transport.sent == ["POST"]  # a retry could have made a second book


def test_backoff_grows_and_stays_under_the_cap():
    rng = random.Random(1)
    ceilings = [min(2.0, 0.1 * 2**attempt) for attempt in range(8)]
    delays = [backoff_delay(attempt, base=0.1, cap=2.0, rng=rng) for attempt in range(8)]
    assert all(0 <= delay <= ceiling for delay, ceiling in zip(delays, ceilings, strict=True))
