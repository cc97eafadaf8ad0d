"""Transactions: an order is written whole or not at all; savepoints undo just one part.

Run `python 01-database/sql_transactions.py`. You will see an order for a keyboard and ten
monitors, when only three monitors are left, refused as a whole: the CHECK (stock >= 0) stops
the monitors, and the rollback also undoes the keyboard's stock already taken and the order
row already inserted. Then a batch import places each order inside a SAVEPOINT, so one bad
order is rolled back alone while the others commit together. The batch first locks every
product it names, in id order: a released savepoint keeps its row locks until the batch
commits, so locking order by order, two batches could deadlock.
"""

from __future__ import annotations

import logging

from sql_models import Customer, Order, Product, make_engine
from sql_orm import create_sample_shop, place_order
from sql_threads import Hook, nothing
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import course
from course.sandbox import temporary_postgres_database

logger = logging.getLogger(__name__)


class OrderRefused(Exception):
    """The order breaks a rule the database enforces (not enough stock, unknown product)."""


def order_from_skus(session: Session, *, email: str, quantities_by_sku: dict[str, int]) -> Order:
    """Lock the order's products, refuse unknown customers and SKUs, then place the order."""
    customer = session.scalars(select(Customer).where(Customer.email == email)).one_or_none()
    if customer is None:
        raise OrderRefused(f"unknown customer: {email}")
    # one SELECT ... ORDER BY id FOR UPDATE: every order takes its row locks in the same
    # order, so two orders for the same products queue instead of deadlocking
    products = session.scalars(
        select(Product)
        .where(Product.sku.in_(quantities_by_sku))
        .order_by(Product.id)
        .with_for_update()
        # a lock helps only if we use the row it locked: the Session would otherwise keep
        # the values of a product it already holds (read earlier in this Session) and
        # ignore the locked row; this way the stock decremented below is the locked value.
        # It overwrites unflushed changes of those products too: autoflush (on by default)
        # sends them before this SELECT, so none is lost; with autoflush=False, flush first
        .execution_options(populate_existing=True)
    ).all()
    unknown = sorted(set(quantities_by_sku) - {product.sku for product in products})
    if unknown:  # an order silently missing a line is worse than a refused one
        raise OrderRefused(f"unknown product: {', '.join(unknown)}")
    quantities = {product: quantities_by_sku[product.sku] for product in products}
    return place_order(session, customer=customer, quantities=quantities)


def place_order_atomically(engine: Engine, *, email: str, quantities_by_sku: dict[str, int]) -> int:
    """Place an order in one transaction and return its id; raise OrderRefused, writing nothing."""
    try:
        # session.begin() commits when the block ends, and rolls back if anything raises
        with Session(engine) as session, session.begin():
            order = order_from_skus(session, email=email, quantities_by_sku=quantities_by_sku)
            session.flush()  # send the INSERTs and UPDATEs now, so the order has its id
            return order.id
    except IntegrityError as error:
        raise OrderRefused(error.orig.diag.constraint_name) from error


def import_orders(
    engine: Engine, orders: list[tuple[str, dict[str, int]]], *, after_first_order: Hook = nothing
) -> list[bool]:
    """Place a batch of orders in one transaction, each in a savepoint; return which were placed."""
    placed = []
    with Session(engine) as session, session.begin():
        # a released savepoint keeps its row locks until the batch commits, so the batch
        # holds every order's locks at once: take them all first, in id order, in one
        # statement, or two batches naming the same products in another order deadlock
        every_sku = {sku for _, quantities_by_sku in orders for sku in quantities_by_sku}
        session.execute(
            select(Product.id)
            .where(Product.sku.in_(every_sku))
            .order_by(Product.id)
            .with_for_update()
        )
        for email, quantities_by_sku in orders:
            try:
                with session.begin_nested():  # SAVEPOINT; ROLLBACK TO SAVEPOINT if it raises
                    order_from_skus(session, email=email, quantities_by_sku=quantities_by_sku)
                placed.append(True)
            except IntegrityError as error:
                logger.info("order for %s refused: %s", email, error.orig.diag.constraint_name)
                placed.append(False)
            except OrderRefused as refused:
                logger.info("order for %s refused: %s", email, refused)
                placed.append(False)
            if len(placed) == 1:
                after_first_order()
    return placed


def stock_by_sku(engine: Engine) -> dict[str, int]:
    """Return every product's stock."""
    with Session(engine) as session:
        return {
            sku: stock
            for sku, stock in session.execute(
                select(Product.sku, Product.stock).order_by(Product.sku)
            )
        }


def order_count(engine: Engine) -> int:
    """Return how many orders exist."""
    with Session(engine) as session:
        return session.scalar(select(func.count(Order.id)))


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_transactions") as url:
        engine = make_engine(url)
        create_sample_shop(engine)
        before = stock_by_sku(engine)
        print(f"1. Stock before: {before}; orders: {order_count(engine)}")
        print("2. Order 1 keyboard + 10 monitors (only 3 monitors left):")
        try:
            place_order_atomically(
                engine, email="ada@example.com", quantities_by_sku={"KB-01": 1, "MN-27": 10}
            )
        except OrderRefused as refused:
            print(f"   refused by the constraint {refused}")
            print("   (the CHECK named stock_not_negative in sql_models.py, prefixed ck_<table>_")
            print("   by its naming convention)")
        print(f"   stock after: {stock_by_sku(engine)}; orders: {order_count(engine)}")
        print(f"   nothing was half-written: {stock_by_sku(engine) == before}")
        print("3. Import three orders in one transaction, each in a savepoint:")
        batch = [
            ("ada@example.com", {"MS-01": 2}),
            ("grace@example.com", {"MN-27": 99}),
            ("linus@example.com", {"CB-02": 5}),
        ]
        for (email, quantities), placed in zip(batch, import_orders(engine, batch), strict=True):
            print(f"   {email:<20} {quantities}  {'placed' if placed else 'rolled back alone'}")
        print(f"   stock after: {stock_by_sku(engine)}; orders: {order_count(engine)}")
        engine.dispose()
    print("Conclusion: one transaction makes a multi-row change all or nothing;")
    print("a savepoint lets one part fail without losing the rest.")


if __name__ == "__main__":
    course.script_arguments()
    main()
