"""Two real instances (uvicorn, FastAPI) on two ports, one database, one Redis, one client.

Stateless instances give the same answers; the rate limit is one count in Redis whichever
instance is asked; an instance that dies sends its share of requests to the other; one that
drops a request after reading it gets a GET sent elsewhere, never a POST.
"""

from __future__ import annotations

import signal
import socketserver
import threading
from collections import Counter
from collections.abc import Iterator
from typing import ClassVar

import httpx2
import pytest
from api_balance import NoInstanceAnswered, SpreadingClient, two_instances
from api_samples import SAMPLE_BOOK
from api_serve_process import ServerProcess, free_port, running_server
from api_serve_settings import ServeSettings, environment_of
from api_settings import ApiSettings

pytestmark = pytest.mark.xdist_group("api-balance")
RATE_LIMIT = 12


@pytest.fixture(scope="module")
def balance_settings(worker_database) -> ServeSettings:
    """The worker's database; the course's Redis with a prefix of this module's own."""
    from course.sandbox import unique_name
    from course.settings import get_settings

    api = ApiSettings(
        database_url=worker_database[0],
        redis_url=get_settings().redis_url,
        redis_prefix=f"{unique_name('balance')}:",
        rate_limit=RATE_LIMIT,
    )
    return ServeSettings(api=api, jobs_queue=unique_name("jobs"))


@pytest.fixture(scope="module")
def pair(balance_settings) -> Iterator[list[ServerProcess]]:
    with two_instances(balance_settings) as instances:
        yield instances


@pytest.fixture(autouse=True)
def fresh_rate_window(balance_settings) -> None:
    """Each test starts with no request counted: the tests run in random order, and the rate
    limit test spends the whole window (a POST after it would get 429, not 201)."""
    import redis

    prefix = f"{balance_settings.api.redis_prefix}rate:"
    with redis.Redis.from_url(balance_settings.api.redis_url) as connection:
        for key in connection.scan_iter(f"{prefix}*"):
            connection.delete(key)


@pytest.fixture
def client(pair, engine) -> Iterator[SpreadingClient]:
    client = SpreadingClient([instance.base_url for instance in pair])
    yield client
    client.close()


def test_a_real_server_serves_a_book_end_to_end_and_either_instance_gives_the_same_answer(client):
    created = client.request("POST", "/api/v1/books", json=SAMPLE_BOOK)
    assert created.status_code == 201
    path = created.headers["Location"]

    answers = [client.request("GET", path) for _ in range(4)]

    assert set(client.served.values()) == {2, 3}, "five requests, alternating"
    assert {answer.text for answer in answers} == {created.text}
    assert {answer.headers["ETag"] for answer in answers} == {'"1"'}


def test_the_rate_limit_is_one_count_across_both_instances(pair):
    client = SpreadingClient([instance.base_url for instance in pair])
    statuses = [client.request("GET", "/api/v1/books").status_code for _ in range(RATE_LIMIT + 2)]
    client.close()
    assert statuses == [200] * RATE_LIMIT + [429, 429]
    assert set(client.served.values()) == {(RATE_LIMIT + 2) // 2}, "each saw only half"


def test_when_an_instance_dies_its_requests_go_to_the_other(pair, balance_settings):
    with running_server("fastapi", environment=environment_of(balance_settings)) as doomed:
        client = SpreadingClient([pair[0].base_url, doomed.base_url])
        assert client.request("GET", "/health").status_code == 200
        doomed.stop(signal.SIGKILL)  # the fault: the process is gone, its port refuses
        client.served.clear()

        statuses = Counter(client.request("GET", "/health").status_code for _ in range(6))

    assert statuses == {200: 6}
    assert client.served[pair[0].base_url] == 6
    assert doomed.base_url in client.down_until
    client.close()


def test_with_every_instance_down_the_client_says_so():
    client = SpreadingClient([f"http://127.0.0.1:{free_port()}" for _ in range(2)])
    with pytest.raises(NoInstanceAnswered, match="none of 2 instances answered /health"):
        client.request("GET", "/health")
    client.close()


class ReadThenDrop(socketserver.BaseRequestHandler):
    """An instance that dies with the request in hand: it reads it all, then closes, no answer."""

    hits: ClassVar[Counter[str]] = Counter()  # by method; the server makes a handler each time

    def handle(self) -> None:
        received = b""
        while b"\r\n\r\n" not in received and (chunk := self.request.recv(65536)):
            received += chunk
        type(self).hits[received.split(b" ", 1)[0].decode()] += 1


@pytest.fixture
def dropping_instance() -> Iterator[str]:
    ReadThenDrop.hits.clear()
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), ReadThenDrop) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


def test_a_request_lost_after_sending_is_resent_only_if_idempotent(pair, dropping_instance):
    urls = [dropping_instance, pair[0].base_url]  # the dropping one comes first in turn
    with pytest.raises(httpx2.TransportError):
        post = SpreadingClient(urls)
        post.request("POST", "/api/v1/books", json=SAMPLE_BOOK)  # it may have run: not resent
    get = SpreadingClient(urls)
    answer = get.request("GET", "/health")  # safe to send again: the other instance answers
    post.close()
    get.close()

    assert ReadThenDrop.hits == {"POST": 1, "GET": 1}
    assert not post.served, "the POST reached no other instance"
    assert answer.status_code == 200 and get.served == {pair[0].base_url: 1}
