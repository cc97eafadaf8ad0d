"""The lost update, shown with two real threads, and three ways to prevent it.

Run `python 01-database/sql_concurrency.py`. Two customers buy the same keyboard at the same
moment, each in its own thread on its own connection. The WRONG way (read the stock, subtract
in Python, write it back) loses one sale: both read 10, both write 9. Then the three fixes,
each run with the same two threads: SELECT ... FOR UPDATE (the second buyer waits for the
first), an atomic UPDATE ... SET stock = stock - 1 WHERE stock >= 1 (the database does the
arithmetic), and optimistic locking with a version column (the second write finds a newer
version, raises StaleDataError, and is retried). The interleaving is forced with a
threading.Barrier and Events, so the stock and the number of retries are the same on every
run; which of the two threads is the one that retries is up to the scheduler.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from typing import Any

from sql_models import Product, create_schema, make_engine
from sql_threads import (
    WAIT_SECONDS,
    Hook,
    add_product,
    current_stock,
    nothing,
    run_in_threads,
    wait_for_a_blocked_session,
)
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import course
from course.sandbox import temporary_postgres_database

logger = logging.getLogger(__name__)
products = Product.__table__


def buy_naively(engine: Engine, product_id: int, *, after_read: Hook = nothing) -> None:
    """WRONG: read the stock, subtract in Python, write the result back."""
    with engine.begin() as connection:
        stock = connection.scalar(select(products.c.stock).where(products.c.id == product_id))
        after_read()
        connection.execute(
            update(products)
            .where(products.c.id == product_id)
            .values(stock=stock - 1, version=products.c.version + 1)
        )


def buy_with_row_lock(
    engine: Engine, product_id: int, *, before_read: Hook = nothing, after_read: Hook = nothing
) -> bool:
    """Fix 1: SELECT ... FOR UPDATE locks the row until commit; return False when sold out."""
    with engine.begin() as connection:
        before_read()
        locked = select(products.c.stock).where(products.c.id == product_id).with_for_update()
        stock = connection.scalar(locked)
        after_read()
        if stock < 1:  # safe to decide on: nobody can change the row until we commit
            return False
        connection.execute(
            update(products)
            .where(products.c.id == product_id)
            .values(stock=stock - 1, version=products.c.version + 1)
        )
        return True


def buy_with_atomic_update(
    engine: Engine, product_id: int, *, before_write: Hook = nothing, after_write: Hook = nothing
) -> bool:
    """Fix 2: one UPDATE does the arithmetic and the check; return False when sold out."""
    with engine.begin() as connection:
        before_write()
        result = connection.execute(
            update(products)
            .where(products.c.id == product_id, products.c.stock >= 1)
            # bump the version too, or optimistic readers would miss this write
            .values(stock=products.c.stock - 1, version=products.c.version + 1)
        )
        after_write()
        return result.rowcount == 1


def buy_optimistically(
    engine: Engine, product_id: int, *, after_read: Hook = nothing, attempts: int = 3
) -> int:
    """Fix 3: the ORM's version column detects a concurrent write; retry. Return attempts used."""
    for attempt in range(1, attempts + 1):
        try:
            with Session(engine) as session, session.begin():
                product = session.get_one(Product, product_id)
                if attempt == 1:
                    after_read()
                product.stock -= 1  # UPDATE ... WHERE id = :id AND version = :version_read
            return attempt
        except StaleDataError:
            logger.info("product %s changed since we read it; retrying", product_id)
    raise RuntimeError(f"gave up after {attempts} attempts")


def two_buyers(engine: Engine, product_id: int, strategy: str) -> list[object]:
    """Let two threads buy one unit each with a strategy, forcing the dangerous interleaving."""
    if strategy in ("naive", "optimistic"):  # both read (stock, version) before either writes
        buy = buy_naively if strategy == "naive" else buy_optimistically
        both_read = threading.Barrier(2, timeout=WAIT_SECONDS)
        each = partial(buy, engine, product_id, after_read=both_read.wait)
        return run_in_threads(each, each)
    # the first buyer holds the row lock until the second is seen queued behind it
    first_holds_lock = threading.Event()

    def hold_until_second_waits() -> None:
        first_holds_lock.set()
        wait_for_a_blocked_session(engine)

    def come_second() -> None:
        first_holds_lock.wait(WAIT_SECONDS)

    if strategy == "row_lock":
        first = partial(buy_with_row_lock, after_read=hold_until_second_waits)
        second = partial(buy_with_row_lock, before_read=come_second)
    elif strategy == "atomic_update":
        first = partial(buy_with_atomic_update, after_write=hold_until_second_waits)
        second = partial(buy_with_atomic_update, before_write=come_second)
    else:
        raise ValueError(f"unknown strategy {strategy!r}")
    return run_in_threads(partial(first, engine, product_id), partial(second, engine, product_id))


STRATEGIES = ["naive", "row_lock", "atomic_update", "optimistic"]


def outcome_in_words(strategy: str, results: list[Any]) -> str:
    """Say what two_buyers' return values mean, the same whichever thread came first."""
    if strategy in ("row_lock", "atomic_update"):  # each buyer returns whether it sold
        return f"{sum(map(bool, results))} of 2 buyers found a unit in stock"
    if strategy == "optimistic":
        retries = sorted(attempts - 1 for attempts in results)
        if retries == [0, 1]:
            return "one buyer succeeded first time, the other retried once"
        return f"retries per buyer, fewest first: {retries}"
    return "nothing to report: the naive buyers return no value"


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_concurrency") as url:
        engine = make_engine(url)
        create_schema(engine)
        print("Two buyers, one keyboard each, at the same moment; the stock starts at 10.")
        for number, strategy in enumerate(STRATEGIES, start=1):
            product_id = add_product(engine, stock=10, sku=f"KB-{number:02}")
            results = two_buyers(engine, product_id, strategy)
            stock = current_stock(engine, product_id)
            verdict = "correct" if stock == 8 else "LOST UPDATE: one sale vanished"
            extra = f" ({outcome_in_words(strategy, results)})" if strategy == "optimistic" else ""
            print(f"{number}. {strategy:<14} stock after: {stock}  {verdict}{extra}")
        engine.dispose()
    print("Conclusion: read-modify-write in Python loses updates under concurrency; lock the")
    print("row, let one UPDATE do the arithmetic, or detect the conflict and retry.")


if __name__ == "__main__":
    course.script_arguments()
    main()
