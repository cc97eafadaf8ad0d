"""Deadlocks: two transactions that lock the same rows in opposite orders, and the fix.

Run `python 01-database/sql_deadlocks.py`. You will see two orders placed at the same moment,
one for a keyboard and a mouse, the other for the mouse and the keyboard. Locking the rows in
the order each customer listed them (THE WRONG WAY), each order holds one row and waits for
the other's: PostgreSQL detects the cycle after `deadlock_timeout` (1 s by default) and
aborts one of them with SQLSTATE 40P01. Locking in one fixed order (by id), the second order
simply waits for the first: its first lock is the one the first order holds, so it waits
holding nothing. (`order_from_skus` takes its locks in id order in one statement, `SELECT
... ORDER BY id FOR UPDATE`, which locks the rows in the order it returns them.)
"""

from __future__ import annotations

import threading

from psycopg import errors
from sql_models import Product, create_schema, make_engine
from sql_threads import (
    WAIT_SECONDS,
    Hook,
    add_product,
    nothing,
    run_in_threads,
    wait_for_a_blocked_session,
)
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

import course
from course.sandbox import temporary_postgres_database

products = Product.__table__


def lock_in_listed_order(engine: Engine, skus: list[str], *, after_first: Hook = nothing) -> str:
    """THE WRONG WAY: lock each product's row in the order given; return 'placed' or 'deadlock'."""
    try:
        with engine.begin() as connection:
            for position, sku in enumerate(skus):
                connection.execute(
                    select(products.c.id).where(products.c.sku == sku).with_for_update()
                )
                if position == 0:
                    after_first()
    except OperationalError as error:
        if isinstance(error.orig, errors.DeadlockDetected):
            return "deadlock"  # PostgreSQL rolled this transaction back to break the cycle
        raise
    return "placed"


def lock_in_id_order(engine: Engine, skus: list[str], *, after_first: Hook = nothing) -> str:
    """Lock the products' rows one at a time, always in id order; return 'placed'."""
    with engine.begin() as connection:
        product_ids = connection.scalars(
            select(products.c.id).where(products.c.sku.in_(skus)).order_by(products.c.id)
        ).all()
        for position, product_id in enumerate(product_ids):
            connection.execute(
                select(products.c.id).where(products.c.id == product_id).with_for_update()
            )
            if position == 0:
                after_first()
    return "placed"


def opposite_orders_in_listed_order(engine: Engine) -> list[object]:
    """Both orders take their first lock, then each asks for the row the other holds."""
    both_hold_one = threading.Barrier(2, timeout=WAIT_SECONDS)
    return run_in_threads(
        lambda: lock_in_listed_order(engine, ["KB-01", "MS-01"], after_first=both_hold_one.wait),
        lambda: lock_in_listed_order(engine, ["MS-01", "KB-01"], after_first=both_hold_one.wait),
    )


def opposite_orders_in_id_order(engine: Engine) -> list[object]:
    """The first order holds its first lock until the second is seen waiting, then goes on."""
    first_has_a_lock = threading.Event()

    def first() -> str:
        def hold_until_the_second_waits() -> None:
            first_has_a_lock.set()
            wait_for_a_blocked_session(engine)

        return lock_in_id_order(engine, ["KB-01", "MS-01"], after_first=hold_until_the_second_waits)

    def second() -> str:
        first_has_a_lock.wait(WAIT_SECONDS)
        # in id order its first lock is the keyboard's, which the first order holds: it waits
        # there, holding nothing, so the first can take the mouse and finish
        return lock_in_id_order(engine, ["MS-01", "KB-01"])

    return run_in_threads(first, second)


def add_keyboard_and_mouse(engine: Engine) -> None:
    """Add the two products the orders fight over."""
    add_product(engine, stock=10, sku="KB-01")
    add_product(engine, stock=10, sku="MS-01")


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_deadlocks") as url:
        engine = make_engine(url)
        create_schema(engine)
        add_keyboard_and_mouse(engine)
        print("Two orders at once: [keyboard, mouse] and [mouse, keyboard].")
        outcomes = sorted(opposite_orders_in_listed_order(engine))
        print(f"1. WRONG WAY, locks in the listed order: {outcomes}")
        print("   each held one row and waited for the other; PostgreSQL aborted one (40P01)")
        outcomes = sorted(opposite_orders_in_id_order(engine))
        print(f"2. Locks in id order:                    {outcomes}")
        print("   the second order waited for the first instead of deadlocking")
        engine.dispose()
    print("Conclusion: take row locks in one fixed order; and since a deadlock can still come")
    print("from elsewhere, retry a transaction aborted with 40P01 (see sql_retry.py).")


if __name__ == "__main__":
    course.script_arguments()
    main()
