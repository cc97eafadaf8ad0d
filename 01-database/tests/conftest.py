"""Fixtures shared by this lesson's tests (the services' fixtures are in the root conftest)."""

import pytest
from redis_cache_sales import create_sales
from sql_orm import create_sample_shop
from sqlalchemy import event


@pytest.fixture
def shop(engine):
    """The test's own database with the lesson's schema and the sample shop in it."""
    create_sample_shop(engine)
    return engine


@pytest.fixture
def sales_engine(engine):
    """The test's own database with 2,000 sales: the slow report parts 2b and 3b cache."""
    create_sales(engine, rows=2_000)
    return engine


@pytest.fixture
def report_queries(sales_engine):
    """Count the report queries PostgreSQL receives (a count, not a timing)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "GROUP BY sku" in statement:
            statements.append(statement)

    event.listen(sales_engine, "before_cursor_execute", record)
    yield statements
    event.remove(sales_engine, "before_cursor_execute", record)
