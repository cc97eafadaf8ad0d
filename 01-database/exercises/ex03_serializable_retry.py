"""Retry a transaction when PostgreSQL reports a serialization failure.

At SERIALIZABLE, PostgreSQL refuses a transaction that would break the illusion of running
alone with SQLSTATE 40001 (serialization_failure); REPEATABLE READ refuses only a concurrent
update of the same row (write skew gets through, see `sql_write_skew.py`). The refusal may
come from any statement or from COMMIT itself (write skew is typically refused at COMMIT), so
the commit belongs inside the retried block. The cure is to run the whole transaction again,
from its first read. Write that once, as a helper:

`run_serializable(engine, work, *, attempts=3)` calls `work(connection)` inside a
transaction at isolation level SERIALIZABLE and returns what `work` returns, committed. When
the transaction fails with a serialization failure, it runs `work` again in a new transaction,
at SERIALIZABLE too (the test asks every attempt for its level), at most `attempts` times in
all, then lets the last error propagate. Any other error
propagates at once, without a retry (retrying a bug only repeats it).

`sql_isolation.py` shows the same idea inside one function; here it becomes reusable.
(PostgreSQL's manual, section 13.5 "Serialization Failure Handling", adds that a 23505
unique_violation can in some cases be "effectively a serialization failure" too, for example
two sessions picking the same new key; retrying it needs more care, so this helper retries
40001 only.)

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
    # commit, and return its result; on a serialization failure (from work or from the
    # commit) try again, on anything else re-raise
    raise NotImplementedError("TODO: run the work, retrying serialization failures")
