"""Least privilege: a read-only role that the database itself stops from writing.

Run `python 01-database/sql_roles.py`. You will see a role created in SQL with LOGIN and
CONNECT, USAGE and SELECT granted, a connection as that role read the customers, and its
INSERT refused by PostgreSQL with InsufficientPrivilege. PostgreSQL also grants some
privileges to PUBLIC, so to every role: CONNECT and TEMPORARY on each database (revoked here
for this database; other databases keep theirs) and EXECUTE on functions (revoked here, for
every role of this database, only on the three that create large objects, which store data
with no other privilege; revoke it likewise where a function writes as SECURITY DEFINER).
A reporting job, a dashboard or an analyst's notebook should connect like this: a bug or an
injection in it cannot change data (tables, sequences, large objects).
Roles belong to the whole server, not one database, so the role gets a unique name and is
dropped at the end. (PostgreSQL 14+ also has the predefined role `pg_read_all_data`, which
reads every table of every database on the server: broader than one database's grants.)
A password in a CREATE ROLE statement can appear in the server log when statements are
logged; an administrator at a psql prompt uses `\\password`, which sends only a hash.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg import sql
from sql_models import make_engine
from sql_orm import create_sample_shop
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

import course
from course.sandbox import temporary_postgres_database, unique_name


@contextmanager
def read_only_role(engine: Engine, *, role_name: str, password: str | None = None) -> Iterator[str]:
    """Create a login role that may only read this database; yield its URL; drop it on exit."""
    password = password or secrets.token_urlsafe(16)
    role, database = sql.Identifier(role_name), sql.Identifier(engine.url.database)
    with engine.begin() as connection:
        run_utility(
            connection,
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password)),
        )
        # PUBLIC (every role) holds CONNECT and TEMPORARY on each new database by default:
        # take them back here, so that the role's own CONNECT is what lets it in and it
        # cannot fill memory and disk with temporary tables
        run_utility(connection, sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
        run_utility(
            connection, sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, role)
        )
        # PUBLIC may also EXECUTE every function, and creating a large object needs no other
        # privilege: without this, SELECT lo_from_bytea(0, ...) stores any amount of data in
        # the database. Writing into an existing one needs UPDATE on it, and server-side
        # lo_import is superuser-only already. Like the line above, this is database-wide:
        # here only superusers, and roles granted EXECUTE again, create large objects
        run_utility(
            connection,
            sql.SQL(
                "REVOKE EXECUTE ON FUNCTION lo_creat(integer), lo_create(oid),"
                " lo_from_bytea(oid, bytea) FROM PUBLIC"
            ),
        )
        run_utility(connection, sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
        run_utility(
            connection, sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(role)
        )
        # ON ALL TABLES covers the tables that exist now; tables this owner creates later
        # get SELECT for the role too only through the default privileges
        run_utility(
            connection,
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {}"
            ).format(role),
        )
    try:
        yield (
            make_url(engine.url)
            .set(username=role_name, password=password)
            .render_as_string(hide_password=False)
        )
    finally:
        with engine.begin() as connection:
            # its grants and default privileges in this database, then the role itself
            run_utility(connection, sql.SQL("DROP OWNED BY {}").format(role))
            run_utility(connection, sql.SQL("DROP ROLE {}").format(role))


def run_utility(connection: Connection, statement: sql.Composable) -> None:
    """Run a statement that takes no bound parameters, its names and values quoted by psycopg."""
    # PostgreSQL binds parameters only in SELECT, INSERT, UPDATE, DELETE and a few others,
    # not in CREATE ROLE or GRANT: psycopg.sql quotes identifiers and literals on the client,
    # so a quote in a password or a name cannot end the string and start SQL of its own
    with connection.connection.cursor() as cursor:
        cursor.execute(statement)


def count_customers(engine: Engine) -> int:
    """Return how many customers there are."""
    with engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM customers"))


def add_customer(engine: Engine, *, email: str) -> None:
    """Insert a customer (refused when the engine's role may not write)."""
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO customers (email, name) VALUES (:email, 'Mallory')"), {"email": email}
        )


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_roles") as url:
        owner = make_engine(url)
        create_sample_shop(owner)
        role_name = unique_name("reporting")
        with read_only_role(owner, role_name=role_name) as reader_url:
            print(f"1. Created the role {role_name}: LOGIN, CONNECT, USAGE, SELECT; no TEMP,")
            print("   no new large objects.")
            reader = make_engine(reader_url)
            print(f"2. As {role_name}, SELECT count(*) FROM customers: {count_customers(reader)}")  # nosec B608  # a printed message, not a query
            try:
                add_customer(reader, email="mallory@example.com")
            except ProgrammingError as error:
                print(f"3. As {role_name}, INSERT is refused: {error.orig.diag.message_primary}")
            reader.dispose()
        print(f"4. The role is dropped; customers still: {count_customers(owner)}")
        owner.dispose()
    print("Conclusion: give each job the least privilege it needs; the database enforces it")
    print("even when the application's code is wrong.")


if __name__ == "__main__":
    course.script_arguments()
    main()
