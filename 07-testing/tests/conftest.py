"""Fixtures of the testing lesson: a database per worker, a rolled-back session per test.

The services' own fixtures (`settings`, `redis_url`, `s3_bucket`, ...) are in the root
conftest. Here: `orders_engine` makes ONE database with the order tables per test session
(per xdist worker), and `session` gives each test a transaction that is rolled back at the end,
which is part 2's cheapest clean slate. `repository` runs a test twice: against the fake and
against PostgreSQL (the contract test).
"""

from collections.abc import Iterator

import pytest
from orders_repository import FakeOrderRepository, SqlOrderRepository
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from testing_isolation import fresh_database, rolled_back_session

from course.services.probes import SERVICES, ServiceUnavailable


@pytest.fixture(scope="session")
def orders_engine(settings) -> Iterator[Engine]:
    """An engine on a database of this session's own, with the order tables, dropped after."""
    try:
        SERVICES["postgres"].check(settings)
    except ServiceUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    with fresh_database(settings.database_url, prefix="orders_test") as engine:
        yield engine


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
