"""Retry a transaction when PostgreSQL reports a serialization failure: the reference solution."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from psycopg import errors
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")
logger = logging.getLogger(__name__)


def run_serializable(engine: Engine, work: Callable[[Connection], T], *, attempts: int = 3) -> T:
    """Run `work(connection)` in a SERIALIZABLE transaction, retried on serialization failure."""
    serializable = engine.execution_options(isolation_level="SERIALIZABLE")
    for attempt in range(1, attempts + 1):
        try:
            with serializable.begin() as connection:  # commits, or rolls back on error
                return work(connection)
        except DBAPIError as error:
            retryable = isinstance(error.orig, errors.SerializationFailure)
            if not retryable or attempt == attempts:
                raise
            # safe: the rolled-back transaction left no trace, and work starts from its reads;
            # a random, growing pause keeps the transactions that collided from colliding again
            logger.info("serialization failure on attempt %d of %d; retrying", attempt, attempts)
            time.sleep(random.uniform(0, 0.01 * 2**attempt))  # nosec B311  # jitter, not a secret
    raise ValueError("attempts must be at least 1")
