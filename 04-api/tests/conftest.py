"""The contract's fixtures: each test runs once against the Flask app, once against FastAPI.

Both apps get the test's own Redis database and key prefix (root conftest) and an empty `books`
table in this worker's own PostgreSQL database. One database per worker, emptied before each
test, instead of one per test: creating a database costs about half a second, which over a
hundred tests would be most of the lesson's time budget; a worker runs one test at a time, so no
two tests ever share the data. `api_inprocess.open_client` drives both apps through one kind of
client, an `httpx2.Client`, in this process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import httpx2
import pytest
from api_inprocess import FRAMEWORKS, open_client
from api_models import create_schema
from api_samples import SAMPLE_BOOK
from api_settings import ApiSettings
from sqlalchemy import Engine, create_engine, text

from course.sandbox import temporary_postgres_database
from course.services.probes import SERVICES, ServiceUnavailable

AppFactory = Callable[..., httpx2.Client]


@pytest.fixture(scope="session")
def worker_database(settings) -> Iterator[tuple[str, Engine]]:
    """This worker's own database with the lesson's schema, dropped at the end of the run."""
    try:
        SERVICES["postgres"].check(settings)
        problem = None
    except ServiceUnavailable as error:
        problem = str(error)
    if problem:  # outside the except block: one line, not a chained traceback
        pytest.fail(problem, pytrace=False)
    with temporary_postgres_database(settings, prefix="test_api") as url:
        engine = create_engine(url)
        create_schema(engine)
        yield url, engine
        engine.dispose()


@pytest.fixture
def engine(worker_database) -> Engine:
    """The worker's database, emptied: no book or idempotency key of an earlier test."""
    _url, engine = worker_database
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE books, idempotency_keys RESTART IDENTITY"))
    return engine


@pytest.fixture
def api_settings(engine, worker_database, redis_url, unique_name, tmp_path) -> ApiSettings:
    """Settings on the emptied database, the test's own Redis prefix and covers directory."""
    return ApiSettings(
        database_url=worker_database[0],
        redis_url=redis_url,
        redis_prefix=f"{unique_name}:",
        covers_dir=tmp_path / "covers",  # never the servers' own directory
    )


@pytest.fixture(params=FRAMEWORKS)
def framework(request) -> str:
    """The name of the app under test: "fastapi" or "flask"."""
    return request.param


@pytest.fixture
def make_client(framework, api_settings) -> Iterator[AppFactory]:
    """Build a client for the app under test, optionally with other settings."""
    opened: list[tuple[httpx2.Client, Callable[[], None]]] = []

    def make(**changes) -> httpx2.Client:
        client, close = open_client(framework, replace(api_settings, **changes))
        opened.append((client, close))
        return client

    yield make
    for client, close in opened:
        client.close()
        close()


@pytest.fixture(scope="session")
def default_apps() -> Iterator[dict[str, httpx2.Client]]:
    """One app of each framework per worker, on default settings, reused by every test."""
    opened: dict[str, tuple[httpx2.Client, Callable[[], None]]] = {}
    yield opened  # filled on first use by `api`, which knows the URLs
    for client, close in opened.values():
        client.close()
        close()


@pytest.fixture
def api(framework, api_settings, default_apps) -> httpx2.Client:
    """A client for the app under test with the default settings.

    The app is made once per worker: each test still starts from an empty database and an
    empty Redis database (the `engine` and `redis_url` fixtures), so it sees nothing earlier.
    """
    if framework not in default_apps:
        default_apps[framework] = open_client(framework, api_settings)
    return default_apps[framework][0]


@pytest.fixture
def book(api) -> dict:
    """A book created through the API."""
    response = api.post("/api/v1/books", json=SAMPLE_BOOK)
    assert response.status_code == 201, response.text
    return response.json()
