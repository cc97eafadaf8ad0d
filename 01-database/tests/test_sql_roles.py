"""A read-only role can read, and the database refuses its writes."""

import pytest
from psycopg import errors
from sql_models import make_engine
from sql_roles import add_customer, count_customers, read_only_role
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError


@pytest.fixture
def shop(engine):
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (email text NOT NULL, name text NOT NULL)"))
        connection.execute(text("INSERT INTO customers VALUES ('ada@example.com', 'Ada')"))
    return engine


@pytest.fixture
def reader(shop, unique_name):
    role_name = unique_name.replace("-", "_")
    with read_only_role(shop, role_name=role_name) as reader_url:
        reader = make_engine(reader_url)
        yield reader
        reader.dispose()


def test_the_read_only_role_can_read(reader):
    assert count_customers(reader) == 1


def test_writes_and_temporary_tables_are_refused_to_the_read_only_role(reader, shop):
    with pytest.raises(ProgrammingError) as refused:
        add_customer(reader, email="mallory@example.com")

    assert isinstance(refused.value.orig, errors.InsufficientPrivilege)
    assert count_customers(shop) == 1
    # TEMPORARY on a database is PUBLIC's by default: read_only_role revokes it
    with reader.connect() as connection, pytest.raises(ProgrammingError) as no_temp:
        connection.execute(text("CREATE TEMP TABLE scratch AS SELECT 1 AS n"))
    assert isinstance(no_temp.value.orig, errors.InsufficientPrivilege)


def test_the_role_is_dropped_afterwards(shop, unique_name):
    role_name = unique_name.replace("-", "_")
    with read_only_role(shop, role_name=role_name):
        pass

    with shop.connect() as connection:
        remaining = connection.scalar(
            text("SELECT count(*) FROM pg_roles WHERE rolname = :name"), {"name": role_name}
        )
    assert remaining == 0


def test_a_table_created_after_the_grant_is_readable_too(reader, shop):
    with shop.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id int)"))

    with reader.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM invoices")) == 0


def test_a_password_with_a_quote_is_sent_as_a_literal_not_as_sql(shop, unique_name):
    # a password pasted into the SQL text with f"'{password}'" breaks (or worse) on a quote
    role_name = unique_name.replace("-", "_")
    with read_only_role(shop, role_name=role_name, password="it's a 'secret'") as reader_url:
        reader = make_engine(reader_url)
        assert count_customers(reader) == 1
        reader.dispose()
