"""Retry a transaction when PostgreSQL reports a serialization failure.

At SERIALIZABLE, PostgreSQL refuses a transaction that would break the illusion of running
alone with SQLSTATE 40001 (serialization_failure); REPEATABLE READ refuses only a write (or
a locking read) of a row that a concurrent transaction updated or deleted (write skew gets
through, see `sql_write_skew.py`). The refusal may come from any statement or from COMMIT
itself (write skew is typically refused at COMMIT), so the commit belongs inside the retried
block. The cure is to run the whole transaction again, from its first read. Write that once,
as a helper:

`run_serializable(engine, work, *, attempts=3)` calls `work(connection)` inside a
transaction at isolation level SERIALIZABLE and returns what `work` returns, committed. When
the transaction fails with a serialization failure, it runs `work` again in a new transaction,
at SERIALIZABLE too (the test asks every attempt for its level), at most `attempts` times in
all, then lets the last error propagate. Before each retry it pauses, with `time.sleep`, for
a random time that grows with the attempt ("full jitter", as `sql_retry.py` does, e.g.
`random.uniform(0, 0.01 * 2**attempt)` seconds): retried at once, or after the same fixed
pause, the transactions that collided collide again in lockstep (the test records the
pauses). Any other error (40P01 aside, see below) propagates at once, without a retry and
without a pause (retrying a bug only repeats it).

`sql_isolation.py` shows the same idea inside one function; here it becomes reusable.
(PostgreSQL's manual, section 13.5 "Serialization Failure Handling", adds two more: "It may
also be advisable to retry deadlock failures. These have the SQLSTATE code 40P01
(deadlock_detected)", as `sql_retry.py` does; and a 23505 unique_violation can in some cases
be "effectively a serialization failure", for example two sessions picking the same new key,
though retrying it needs more care. This helper keeps to 40001 and lets a 23505 propagate;
retrying 40P01 as well is fine, the check does not test it.)

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
    # commit) pause a random, growing time (time.sleep) and try again; on anything else
    # re-raise
    raise NotImplementedError("TODO: run the work, retrying serialization failures")
