"""A session for tests whose every change, committed or not, is rolled back at the end.

Write `rolled_back_session(engine)`, a context manager (it is decorated already) that yields a
SQLAlchemy `Session` for one test:
- the code under test may call `session.commit()`, yet after the `with` block nothing it wrote
  is in the database;
- the code under test may also call `session.rollback()` after an error, and what it had
  committed before in the same test must still be visible afterwards, inside the test.
Recipe: open a connection, begin a transaction on it, bind the session to the connection in
the right `join_transaction_mode`, and roll the transaction back at the end (even if the test
failed). `testing_isolation.py` and `part2-integration.md` explain it.

Check your work with `.venv/bin/course check 07 ex02`; a hint: `.venv/bin/course hint 07 ex02`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session


@contextmanager
def rolled_back_session(engine: Engine) -> Iterator[Session]:
    """Yield a session whose every change, committed or not, is rolled back at the end."""
    # TODO: connect, begin the outer transaction, make the session join it with savepoints,
    # yield the session, then close it and roll the outer transaction back
    raise NotImplementedError("TODO: write the rolled-back session")
    yield  # makes this a generator, as @contextmanager needs; remove it with the TODO
