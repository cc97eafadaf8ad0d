"""A read-only role can read, and the database refuses its writes."""

import pytest
from psycopg import errors, sql
from sql_models import make_engine
from sql_roles import add_customer, count_customers, read_only_role, run_utility
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError


@pytest.fixture
def shop(engine):
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE customers (id serial, email text NOT NULL, name text NOT NULL)")
        )
        connection.execute(
            text("INSERT INTO customers (email, name) VALUES ('ada@example.com', 'Ada')")
        )
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


def assert_refused(engine, statement: str) -> None:
    """Run one statement as the engine's role and check PostgreSQL refuses it for privilege."""
    with engine.connect() as connection, pytest.raises(ProgrammingError) as refused:
        connection.execute(text(statement))
    assert isinstance(refused.value.orig, errors.InsufficientPrivilege), statement


def test_writes_temporary_tables_and_large_objects_are_refused_to_the_reader(reader, shop):
    with pytest.raises(ProgrammingError) as refused:
        add_customer(reader, email="mallory@example.com")

    assert isinstance(refused.value.orig, errors.InsufficientPrivilege)
    assert count_customers(shop) == 1
    # nor a sequence moved on, nor a table of its own (no USAGE on sequences, no CREATE)
    assert_refused(reader, "SELECT nextval('customers_id_seq')")
    assert_refused(reader, "CREATE TABLE scratch (n int)")
    # TEMPORARY on a database is PUBLIC's by default: read_only_role revokes it
    assert_refused(reader, "CREATE TEMP TABLE scratch AS SELECT 1 AS n")
    # so is EXECUTE on the functions that create a large object (data of any size, stored
    # in the database) and need no other privilege: read_only_role revokes it here
    assert_refused(reader, r"SELECT lo_from_bytea(0, '\x00'::bytea)")
    assert_refused(reader, "SELECT lo_creat(-1)")
    assert_refused(reader, "SELECT lo_create(0)")
    # writing into someone else's large object needs UPDATE on that object
    with shop.begin() as connection:
        theirs = connection.scalar(text(r"SELECT lo_from_bytea(0, '\x00'::bytea)"))
    assert_refused(reader, rf"SELECT lo_put({theirs}, 0, '\xff'::bytea)")
    with shop.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM pg_largeobject_metadata")) == 1


def test_a_role_granted_nothing_here_cannot_connect_to_this_database(reader, shop, unique_name):
    # CONNECT on a database is PUBLIC's by default: read_only_role revokes it, so only the
    # roles granted CONNECT get in. The outsider may still log in where PUBLIC keeps it
    name = unique_name.replace("-", "_") + "_outsider"
    outsider = sql.Identifier(name)
    with shop.begin() as connection:
        run_utility(
            connection, sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'outsider'").format(outsider)
        )
    as_outsider = make_url(shop.url).set(username=name, password="outsider")
    here, elsewhere = make_engine(as_outsider), make_engine(as_outsider.set(database="postgres"))
    try:
        with elsewhere.connect() as connection:
            assert connection.scalar(text("SELECT current_user")) == name
        with pytest.raises(OperationalError) as refused:
            here.connect()
        # psycopg raises a plain OperationalError for a refused connection: the message says why
        assert "User does not have CONNECT privilege" in str(refused.value)
    finally:
        here.dispose()
        elsewhere.dispose()
        with shop.begin() as connection:
            run_utility(connection, sql.SQL("DROP ROLE {}").format(outsider))


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
    # readable only: the default privileges grant SELECT, not writes
    assert_refused(reader, "INSERT INTO invoices VALUES (1)")


def test_a_password_with_a_quote_is_sent_as_a_literal_not_as_sql(shop, unique_name):
    # a password pasted into the SQL text with f"'{password}'" breaks (or worse) on a quote
    role_name = unique_name.replace("-", "_")
    with read_only_role(shop, role_name=role_name, password="it's a 'secret'") as reader_url:
        reader = make_engine(reader_url)
        assert count_customers(reader) == 1
        reader.dispose()
