"""Upserts: INSERT ... ON CONFLICT, where "look, then insert or update" races.

Run `python 01-database/sql_upsert.py`. Two stock deliveries for a product the shop does not
list yet arrive at the same moment. THE WRONG WAY looks first (SELECT), then inserts or
updates: both look, both see no product, both INSERT, and the UNIQUE constraint on the SKU
refuses the second delivery, which is lost unless someone retries it. With one statement,
`INSERT ... ON CONFLICT (sku) DO UPDATE SET stock = products.stock + excluded.stock`,
PostgreSQL decides insert-or-update atomically: the second delivery, sent while the first's
row is written but not yet committed, waits for it on the UNIQUE index and then adds its
stock to that row; both deliveries count.
"""

from __future__ import annotations

import threading

from sql_models import Product, create_schema, make_engine
from sql_threads import (
    WAIT_SECONDS,
    Hook,
    nothing,
    run_in_threads,
    wait_for_a_blocked_session,
)
from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

import course
from course.sandbox import temporary_postgres_database

products = Product.__table__


def receive_naively(engine: Engine, *, sku: str, quantity: int, after_look: Hook = nothing) -> str:
    """THE WRONG WAY: SELECT, then INSERT or UPDATE; return 'stored' or 'refused'."""
    try:
        with engine.begin() as connection:
            found = connection.scalar(select(products.c.id).where(products.c.sku == sku))
            after_look()
            if found is None:
                connection.execute(
                    products.insert().values(sku=sku, name=sku, price_cents=100, stock=quantity)
                )
            else:
                connection.execute(
                    update(products)
                    .where(products.c.id == found)
                    .values(stock=products.c.stock + quantity, version=products.c.version + 1)
                )
    except IntegrityError:
        return "refused by the UNIQUE constraint"
    return "stored"


def receive(engine: Engine, *, sku: str, quantity: int, after_write: Hook = nothing) -> str:
    """Insert the product with this stock, or add to its stock, in one atomic statement."""
    statement = insert(products).values(sku=sku, name=sku, price_cents=100, stock=quantity)
    # `excluded` is the row that failed to insert: add its stock to the existing row's, and
    # bump the version, or an optimistic buyer (version_id_col) would overwrite this write
    statement = statement.on_conflict_do_update(
        index_elements=[products.c.sku],
        set_={
            "stock": products.c.stock + statement.excluded.stock,
            "version": products.c.version + 1,
        },
    )
    with engine.begin() as connection:
        connection.execute(statement)
        after_write()
    return "stored"


def two_deliveries(engine: Engine, *, naive: bool, sku: str = "NEW-1") -> list[object]:
    """Two deliveries of 5 and 7 units of a new product, at the same moment."""
    if naive:
        both_looked = threading.Barrier(2, timeout=WAIT_SECONDS)
        return run_in_threads(
            lambda: receive_naively(engine, sku=sku, quantity=5, after_look=both_looked.wait),
            lambda: receive_naively(engine, sku=sku, quantity=7, after_look=both_looked.wait),
        )
    # the first delivery's row is written but not committed until the second is seen waiting
    # for it on the UNIQUE index: the overlap is forced, not left to the scheduler
    first_has_written = threading.Event()

    def hold_until_the_second_waits() -> None:
        first_has_written.set()
        wait_for_a_blocked_session(engine)

    def second() -> str:
        if not first_has_written.wait(WAIT_SECONDS):
            raise TimeoutError("the first delivery never wrote its row")
        return receive(engine, sku=sku, quantity=7)

    return run_in_threads(
        lambda: receive(engine, sku=sku, quantity=5, after_write=hold_until_the_second_waits),
        second,
    )


def stock_of(engine: Engine, sku: str) -> int | None:
    """Return the product's stock, or None if it is not listed."""
    with engine.connect() as connection:
        return connection.scalar(select(products.c.stock).where(products.c.sku == sku))


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_upsert") as url:
        engine = make_engine(url)
        create_schema(engine)
        print("Deliveries of 5 and 7 units of a product not listed yet, at the same moment:")
        outcomes = sorted(map(str, two_deliveries(engine, naive=True, sku="NEW-1")))
        print(f"1. WRONG WAY, SELECT then INSERT: {outcomes}; stock {stock_of(engine, 'NEW-1')}")
        outcomes = two_deliveries(engine, naive=False, sku="NEW-2")
        print(f"2. INSERT ... ON CONFLICT DO UPDATE: {outcomes}; stock {stock_of(engine, 'NEW-2')}")
        engine.dispose()
    print("Conclusion: let the database decide insert-or-update in one statement; a look")
    print("before the write is stale by the time the write arrives.")


if __name__ == "__main__":
    course.script_arguments()
    main()
