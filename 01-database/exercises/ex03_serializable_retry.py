"""Retry a transaction when PostgreSQL reports a serialization failure.

At REPEATABLE READ or SERIALIZABLE, PostgreSQL refuses a transaction that would break the
illusion of running alone with SQLSTATE 40001 (serialization_failure). The cure is to run
the whole transaction again, from its first read. Write that once, as a helper:

`run_serializable(engine, work, *, attempts=3)` calls `work(connection)` inside a
transaction at isolation level SERIALIZABLE and returns what `work` returns, committed. When
the transaction fails with a serialization failure, it runs `work` again in a new transaction,
at most `attempts` times in all, then lets the last error propagate. Any other error
propagates at once, without a retry (retrying a bug only repeats it).

`sql_isolation.py` shows the same idea inside one function; here it becomes reusable.

Check your work with `.venv/bin/course check 01 ex03` (or `course check 01 ex03` after
`source .venv/bin/activate`); ask for a hint with `.venv/bin/course hint 01 ex03`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")


def run_serializable(engine: Engine, work: Callable[[Connection], T], *, attempts: int = 3) -> T:
    """Run `work(connection)` in a SERIALIZABLE transaction, retried on serialization failure."""
    # TODO: loop over the attempts; in each, open a transaction at SERIALIZABLE, call work,
    # and return its result; on a serialization failure try again, on anything else re-raise
    raise NotImplementedError("TODO: run the work, retrying serialization failures")
