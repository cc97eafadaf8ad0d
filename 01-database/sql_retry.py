"""Which database errors are safe to retry, and how long to wait between attempts.

A transaction that PostgreSQL aborted with a serialization failure (SQLSTATE 40001) or a
deadlock (40P01) was rolled back whole: running the whole transaction again, reads included,
is safe. What must not run twice is a side effect outside the database (an email, a payment
call) made inside the attempt. Retries are bounded, and the wait between them is random
("full jitter"), so that the transactions that collided do not collide again in lockstep.
"""

from __future__ import annotations

import random

from psycopg import errors
from sqlalchemy.exc import DBAPIError

RETRYABLE = (errors.SerializationFailure, errors.DeadlockDetected)


class TooManyConflicts(Exception):
    """The transaction kept conflicting with others; it was retried as often as allowed."""


def is_retryable(error: DBAPIError) -> bool:
    """Return True when the database rolled the transaction back and it may simply run again."""
    return isinstance(error.orig, RETRYABLE)


def backoff_seconds(attempt: int, *, base: float = 0.01, cap: float = 1.0) -> float:
    """Return a random wait before retry number `attempt` (1, 2, ...): up to base * 2**attempt."""
    return random.uniform(0, min(cap, base * 2**attempt))  # nosec B311  # jitter, not a secret
