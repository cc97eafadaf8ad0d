"""Three ways to give each integration test a clean PostgreSQL database, and what each costs.

1. A transaction per test, rolled back at the end: the test's session joins an outer
   transaction with `join_transaction_mode="create_savepoint"`, so even the code under test's
   `commit()` only releases a savepoint, and the final ROLLBACK undoes everything.
2. A fresh database per test: CREATE DATABASE, create the tables, DROP DATABASE afterwards.
3. The tables created and dropped per test (`create_all`/`drop_all`) in one database.
All three give the test an empty schema; `testing_isolation_bench.py` measures their cost.
`require_services` is every script's first step: one line, not a traceback, when a service
the script needs does not answer.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from orders_tables import Base
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from course.services.probes import SERVICES, ServiceUnavailable
from course.settings import Settings

logger = logging.getLogger(__name__)
SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def require_services(settings: Settings, *keys: str) -> Settings:
    """Return the settings, or stop the script with one line naming a service that is down."""
    for key in keys:
        try:
            SERVICES[key].check(settings)
        except ServiceUnavailable as error:
            raise SystemExit(str(error)) from None
    return settings


def unique_database_name(prefix: str = "orders") -> str:
    """Return a database name no other test or learner uses."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@contextmanager
def rolled_back_session(engine: Engine) -> Iterator[Session]:
    """Yield a session whose every change, committed or not, is rolled back at the end."""
    with engine.connect() as connection:
        outer = connection.begin()
        # the session's commit() releases a SAVEPOINT inside `outer`; it never really commits
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@contextmanager
def fresh_database(admin_url: str, *, prefix: str = "orders") -> Iterator[Engine]:
    """Create a database with the order tables; yield an engine on it; drop it on exit."""
    name = unique_database_name(prefix)
    if not SAFE_NAME.match(name):  # a database name cannot be a bound parameter
        raise ValueError(f"unsafe database name {name!r}: use lowercase letters, digits, _")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")  # CREATE DATABASE needs it
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = create_engine(make_url(admin_url).set(database=name))
        try:
            Base.metadata.create_all(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def recreated_tables(engine: Engine) -> Iterator[Session]:
    """Create the order tables; yield a session; drop the tables on exit."""
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            yield session
    finally:
        Base.metadata.drop_all(engine)
