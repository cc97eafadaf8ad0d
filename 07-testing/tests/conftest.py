"""Fixtures of the testing lesson: a database per worker, a rolled-back session per test.

The services' own fixtures (`settings`, `redis_url`, `s3_bucket`, ...) are in the root
conftest. Here: `orders_database` makes ONE database with the order tables per test session
(per xdist worker), `orders_engine` hands it to a test, and `session` gives each test a
transaction that is rolled back at the end, which is part 2's cheapest clean slate.
`repository` runs a test twice: against the fake and against PostgreSQL (the contract test).
Part 4's markers are registered and applied here:
a test that uses a service's fixture, or is the run of a parametrized fixture named after a
service ("postgres", "redis"), is marked `integration`; one that starts the API server `e2e`.
`tool` (a test that runs pytest, mutmut or pre-commit in a child process) is written on its
module by hand, since no fixture says so. `require_level`, in `orders_engine` and `redis_url`,
fails a test that reaches PostgreSQL or Redis without its marker (also through
`getfixturevalue`), so the hook cannot miss one silently.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from orders_live_server import live_server
from orders_repository import FakeOrderRepository, SqlOrderRepository
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from testing_isolation import fresh_database, rolled_back_session

from course.services.probes import SERVICES, ServiceUnavailable

HERE = Path(__file__).resolve().parent
# the fixtures that reach a real service, and the one that starts a server process
SERVICE_FIXTURES = {"orders_engine", "orders_database", "settings", "redis_url", "redis_client"}
SERVICE_FIXTURES |= {"s3_bucket", "container_url"}  # container_url: testcontainers, in Docker
# a parametrized fixture that asks for a service with getfixturevalue, in the runs named so
SERVICE_PARAMS = {"postgres", "redis"}
SERVER_FIXTURES = {"orders_server"}
LEVELS = ("integration", "e2e")


def pytest_configure(config: pytest.Config) -> None:
    """Register the lesson's markers (with --strict-markers an unknown one is an error)."""
    config.addinivalue_line("markers", "integration: talks to a real service (PostgreSQL, Redis)")
    config.addinivalue_line("markers", "e2e: starts the order API as a server process")
    config.addinivalue_line("markers", "tool: runs a tool (pytest, mutmut) in a child process")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark this lesson's tests by the fixtures they use (the hook sees every lesson's items)."""
    for item in items:
        if HERE not in item.path.parents:
            continue
        used = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        # the contract test's PostgreSQL run, and the doubles' Redis run, ask for their
        # service inside the fixture (getfixturevalue), which `fixturenames` does not list
        params = callspec.params.values() if callspec is not None else ()
        on_a_service = any(isinstance(value, str) and value in SERVICE_PARAMS for value in params)
        if used & SERVER_FIXTURES:
            item.add_marker("e2e")
        elif used & SERVICE_FIXTURES or on_a_service:
            item.add_marker("integration")


def require_level(request: pytest.FixtureRequest, service: str) -> None:
    """Fail a test that reaches a service without an `integration` or `e2e` marker on it."""
    if not any(request.node.get_closest_marker(level) for level in LEVELS):
        pytest.fail(
            f"{request.node.nodeid} reaches {service} but is not marked integration: "
            "add its fixture or parameter to the marker hook in tests/conftest.py",
            pytrace=False,
        )


@pytest.fixture
def redis_url(redis_url: str, request: pytest.FixtureRequest) -> str:
    """The root conftest's Redis URL, for a test the marker hook marked integration."""
    require_level(request, "Redis")
    return redis_url


@pytest.fixture(scope="session")
def orders_database(settings) -> Iterator[Engine]:
    """An engine on a database of this session's own, with the order tables, dropped after."""
    try:
        SERVICES["postgres"].check(settings)
    except ServiceUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    with fresh_database(settings.database_url, prefix="orders_test") as engine:
        yield engine


@pytest.fixture
def orders_engine(request: pytest.FixtureRequest) -> Engine:
    """The session's order database, for a test marked integration (checked before it connects)."""
    # a fixture reaching this one with getfixturevalue is invisible to the marker hook
    require_level(request, "PostgreSQL")
    return request.getfixturevalue("orders_database")


@pytest.fixture
def session(orders_engine: Engine) -> Iterator[Session]:
    """A session whose changes (commits included) are rolled back after the test."""
    with rolled_back_session(orders_engine) as session:
        yield session


@pytest.fixture(params=["fake", "postgres"])
def repository(request: pytest.FixtureRequest):
    """The fake repository, then the real one: a contract test runs against both."""
    if request.param == "fake":
        return FakeOrderRepository()
    return SqlOrderRepository(request.getfixturevalue("session"))


@pytest.fixture
def customer() -> str:
    """The customer of a test's orders; `tests/layering/conftest.py` overrides it below it."""
    return "ada"


class Server(NamedTuple):
    """A running order API: its base URL, and an engine on its database."""

    url: str
    engine: Engine


@pytest.fixture(scope="session")
def orders_server(settings) -> Iterator[Server]:
    """The order API as a server process on a database of its own; stopped and dropped after."""
    with fresh_database(settings.database_url, prefix="orders_e2e") as engine:
        url = engine.url.render_as_string(hide_password=False)
        with live_server(url) as base_url:
            yield Server(base_url, engine)
