"""testcontainers: a PostgreSQL container per test session, where a Docker engine answers.

The course does not need it (its embedded servers are real servers from wheels), but many
projects use it. Where no Docker engine answers, the test is skipped and says how to get one.
"""

import gc
import warnings
from contextlib import closing

import pytest
from orders_domain import Line, Order
from orders_repository import SqlOrderRepository
from orders_tables import Base
from sqlalchemy import create_engine
from sqlalchemy.orm import Session


def docker_problem() -> str | None:
    """Return why no Docker engine answers, or None when one does."""
    import docker
    from docker.errors import DockerException

    try:
        with closing(docker.from_env()) as client:  # from_env already asks for the API version
            client.ping()
        return None
    except DockerException as error:
        problem = str(error).splitlines()[0][:120]
    # docker 7.2 leaves the socket of a failed connect open (docker/docker-py#3356, not merged):
    # collect it now, where its ResourceWarning is expected, not in whichever test runs next
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    return problem


@pytest.fixture(scope="module")
def container_url():
    problem = docker_problem()
    if problem:
        pytest.skip(
            f"no Docker engine answers ({problem}): install Docker and start it to run "
            "testcontainers; the course's embedded PostgreSQL needs no Docker"
        )
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:18", driver="psycopg") as postgres:
        yield postgres.get_connection_url()


def test_the_repository_works_on_a_throwaway_container(container_url):
    engine = create_engine(container_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        repository = SqlOrderRepository(session)
        repository.add(Order("ORD-1", "ada", (Line("tea", 1, 450),)))
        repository.commit()
        assert repository.get("ORD-1").customer == "ada"
    engine.dispose()
