"""Isolation levels with a retried serialization failure; timeouts that end a stuck wait.

Run `python 01-database/sql_isolation.py`. You will see the naive read-modify-write of
sql_concurrency.py made safe by the isolation level alone: at REPEATABLE READ or SERIALIZABLE,
PostgreSQL refuses the second writer with a serialization failure (SQLSTATE 40001) instead of
letting it overwrite, and the whole transaction is simply retried. Then lock_timeout makes a
buyer stuck behind a held row lock fail after 200 ms with a clear error, and statement_timeout
cancels a query that runs too long.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from psycopg import errors
from sql_models import Product, create_schema, make_engine
from sql_retry import TooManyConflicts, backoff_seconds, is_retryable
from sql_threads import WAIT_SECONDS, Hook, add_product, current_stock, nothing, run_in_threads
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import OperationalError

import course
from course.sandbox import temporary_postgres_database

logger = logging.getLogger(__name__)
products = Product.__table__


class ProductBusy(Exception):
    """Another transaction holds the product's row lock for longer than we agreed to wait."""


class QueryTooSlow(Exception):
    """The query ran past its statement_timeout and was cancelled by the server."""


def buy_with_retry(
    engine: Engine,
    product_id: int,
    *,
    isolation_level: str = "SERIALIZABLE",
    attempts: int = 3,
    after_read: Hook = nothing,
    before_write: Hook = nothing,
) -> int:
    """Read-modify-write at a strict isolation level, retried on 40001/40P01; return attempts."""
    isolated = engine.execution_options(isolation_level=isolation_level)
    for attempt in range(1, attempts + 1):
        try:
            with isolated.begin() as connection:
                stock = connection.scalar(
                    select(products.c.stock).where(products.c.id == product_id)
                )
                if attempt == 1:  # the hooks force the conflict on the first attempt only
                    after_read()
                    before_write()
                connection.execute(
                    update(products)
                    .where(products.c.id == product_id)
                    .values(stock=stock - 1, version=products.c.version + 1)
                )
            return attempt
        except OperationalError as error:
            if not is_retryable(error):
                raise
            if attempt == attempts:
                raise TooManyConflicts(f"gave up after {attempts} attempts") from error
            # safe to retry: the whole transaction, reads included, was rolled back and runs
            # again from the start; the random wait keeps the two from colliding in lockstep
            logger.info("%s on attempt %d; retrying", type(error.orig).__name__, attempt)
            time.sleep(backoff_seconds(attempt))
    raise AssertionError("unreachable: the loop returns or raises")


def two_isolated_buyers(engine: Engine, product_id: int, isolation_level: str) -> list[object]:
    """Both buyers read; the first writes and commits; then the second writes (and must retry)."""
    both_read, first_done = threading.Barrier(2, timeout=WAIT_SECONDS), threading.Event()
    buy = partial(buy_with_retry, engine, product_id, isolation_level=isolation_level)

    def first() -> int:
        attempts = buy(after_read=both_read.wait)
        first_done.set()
        return attempts

    return run_in_threads(
        first, partial(buy, after_read=both_read.wait, before_write=lambda: first_done.wait(5))
    )


@contextmanager
def row_locked(engine: Engine, product_id: int) -> Iterator[None]:
    """Hold the product's row lock (SELECT ... FOR UPDATE) until the block ends."""
    with engine.connect() as connection, connection.begin() as transaction:
        connection.execute(
            select(products.c.id).where(products.c.id == product_id).with_for_update()
        )
        yield
        transaction.rollback()


def buy_or_give_up(engine: Engine, product_id: int, *, lock_timeout_ms: int) -> bool:
    """Take one unit (False: sold out), waiting at most `lock_timeout_ms` for the row lock."""
    try:
        with engine.begin() as connection:
            # SET LOCAL lasts until the end of this transaction only. SET takes no bound
            # parameter (`= :ms` is a syntax error at "$1"), so the value is formatted in, and
            # int() makes sure it is a number, never SQL text; set_config('lock_timeout', :ms,
            # true) is the same with a parameter, which must be text (str(), not an int)
            connection.execute(text(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}"))
            sold = connection.execute(
                update(products)
                .where(products.c.id == product_id, products.c.stock >= 1)
                .values(stock=products.c.stock - 1, version=products.c.version + 1)
            )
        return sold.rowcount == 1
    except OperationalError as error:
        if isinstance(error.orig, errors.LockNotAvailable):
            raise ProductBusy(f"product {product_id} is locked by another transaction") from error
        raise


def run_with_statement_timeout(engine: Engine, sql: str, *, statement_timeout_ms: int) -> object:
    """Run one query, cancelled by the server after `statement_timeout_ms`; else QueryTooSlow."""
    try:
        with engine.begin() as connection:
            # int(): SET takes no bound parameter, so only a number is formatted in
            connection.execute(text(f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}"))
            return connection.scalar(text(sql))
    except OperationalError as error:
        if isinstance(error.orig, errors.QueryCanceled):
            raise QueryTooSlow(f"cancelled after {statement_timeout_ms} ms: {sql}") from error
        raise


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_isolation") as url:
        engine = make_engine(url)
        create_schema(engine)
        print("1. Naive read-modify-write, but at a strict isolation level (stock 10, 2 buyers):")
        for level in ("REPEATABLE READ", "SERIALIZABLE"):
            product_id = add_product(engine, stock=10, sku=level[:3])
            attempts = two_isolated_buyers(engine, product_id, level)
            stock = current_stock(engine, product_id)
            print(f"   {level:<16} stock after: {stock}; attempts per buyer: {attempts}")
        print("2. A buyer stuck behind a held row lock, with lock_timeout = 200 ms:")
        with row_locked(engine, product_id):
            try:
                buy_or_give_up(engine, product_id, lock_timeout_ms=200)
            except ProductBusy as busy:
                print(f"   ProductBusy: {busy}")
        print("3. A query that would take 2 s, with statement_timeout = 100 ms:")
        try:
            run_with_statement_timeout(engine, "SELECT pg_sleep(2)", statement_timeout_ms=100)
        except QueryTooSlow as slow:
            print(f"   QueryTooSlow: {slow}")
        engine.dispose()
    print("Conclusion: a strict isolation level turns a lost update into an error you retry;")
    print("timeouts turn an endless wait into an error you can report.")


if __name__ == "__main__":
    course.script_arguments()
    main()
