"""Least privilege: a read-only role that the database itself stops from writing.

Run `python 01-database/sql_roles.py`. You will see a role created in SQL with LOGIN and only
CONNECT, USAGE and SELECT granted, a connection as that role read the customers, and its
INSERT refused by PostgreSQL with InsufficientPrivilege. A reporting job, a dashboard or an
analyst's notebook should connect like this: a bug or an injection in it cannot change data.
Roles belong to the whole server, not one database, so the role gets a unique name and is
dropped at the end.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sql_models import make_engine
from sql_orm import create_sample_shop
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

import course
from course.sandbox import temporary_postgres_database, unique_name


@contextmanager
def read_only_role(engine: Engine, *, role_name: str) -> Iterator[str]:
    """Create a login role that may only read this database; yield its URL; drop it on exit."""
    password = secrets.token_urlsafe(16)
    database = engine.url.database
    with engine.begin() as connection:
        # identifiers cannot be bound parameters: quote them with the dialect's preparer
        quote = connection.dialect.identifier_preparer.quote
        role, db = quote(role_name), quote(database)
        connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        connection.execute(text(f"GRANT CONNECT ON DATABASE {db} TO {role}"))
        connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        connection.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    try:
        yield (
            make_url(engine.url)
            .set(username=role_name, password=password)
            .render_as_string(hide_password=False)
        )
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))  # its grants in this database
            connection.execute(text(f"DROP ROLE {role}"))


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
            print(f"1. Created the role {role_name}: LOGIN, CONNECT, USAGE, SELECT only.")
            reader = make_engine(reader_url)
            print(f"2. As {role_name}, SELECT count(*) FROM customers: {count_customers(reader)}")
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
    main()
