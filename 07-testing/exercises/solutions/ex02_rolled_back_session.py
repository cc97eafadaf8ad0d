"""A session for tests whose every change is rolled back at the end: the reference solution."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session


@contextmanager
def rolled_back_session(engine: Engine) -> Iterator[Session]:
    """Yield a session whose every change, committed or not, is rolled back at the end."""
    with engine.connect() as connection:
        outer = connection.begin()
        # create_savepoint: the session's commit and rollback act on savepoints inside `outer`
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()
