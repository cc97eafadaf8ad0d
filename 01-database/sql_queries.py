"""Query with select(): filters, joins, aggregates, ordering, pagination; ORM, Core and raw SQL.

Run `python 01-database/sql_queries.py`. You will see one question, "which customers placed
at least N orders, and how much did they spend?", asked three ways: with the ORM (mapped
classes), with Core (the tables) and in raw SQL with text(). All three return the same rows,
and the compiled SQL the ORM sends is printed beside them, so the ORM is never magic: it
writes the JOIN, GROUP BY and HAVING you would have written, with bound parameters.
"""

from __future__ import annotations

from sql_models import Customer, Order, Product, make_engine
from sql_orm import create_sample_shop
from sqlalchemy import Connection, Select, desc, func, select, text
from sqlalchemy.orm import Session

import course
from course.sandbox import temporary_postgres_database

Spending = tuple[str, int, int]  # email, orders, cents spent


def best_customers_statement(min_orders: int) -> Select:
    """Build the ORM statement: customers with at least `min_orders`, biggest spender first."""
    order_count = func.count(Order.id).label("orders")
    spent = func.sum(Order.total_cents).label("spent_cents")
    return (
        select(Customer.email, order_count, spent)
        .join(Customer.orders)  # the relationship knows the ON clause
        .group_by(Customer.id)
        .having(func.count(Order.id) >= min_orders)
        .order_by(desc("spent_cents"), Customer.email)
    )


def best_customers_orm(session: Session, *, min_orders: int) -> list[Spending]:
    """Ask the question with the ORM."""
    return [tuple(row) for row in session.execute(best_customers_statement(min_orders))]


def best_customers_core(connection: Connection, *, min_orders: int) -> list[Spending]:
    """Ask the same question with Core: tables and columns, no mapped classes."""
    customers, orders = Customer.__table__, Order.__table__
    statement = (
        select(customers.c.email, func.count(orders.c.id), func.sum(orders.c.total_cents))
        .select_from(customers.join(orders, orders.c.customer_id == customers.c.id))
        .group_by(customers.c.id)
        .having(func.count(orders.c.id) >= min_orders)
        .order_by(func.sum(orders.c.total_cents).desc(), customers.c.email)
    )
    return [tuple(row) for row in connection.execute(statement)]


BEST_CUSTOMERS_SQL = text("""
    SELECT customers.email, count(orders.id) AS orders, sum(orders.total_cents) AS spent_cents
    FROM customers JOIN orders ON orders.customer_id = customers.id
    GROUP BY customers.id
    HAVING count(orders.id) >= :min_orders
    ORDER BY spent_cents DESC, customers.email
""")


def best_customers_raw(connection: Connection, *, min_orders: int) -> list[Spending]:
    """Ask the same question in SQL, the value still passed as a bound parameter."""
    return [
        tuple(row) for row in connection.execute(BEST_CUSTOMERS_SQL, {"min_orders": min_orders})
    ]


def affordable_products(session: Session, *, max_price_cents: int, in_stock: bool = True):
    """Return products at or under a price, cheapest first (filters combine with AND)."""
    statement = select(Product).where(Product.price_cents <= max_price_cents)
    if in_stock:
        statement = statement.where(Product.stock > 0)
    return session.scalars(statement.order_by(Product.price_cents, Product.sku)).all()


def products_page(session: Session, *, page: int, page_size: int) -> list[str]:
    """Return one page of product SKUs in a stable order (pages count from 1)."""
    statement = (
        select(Product.sku)
        .order_by(Product.sku)  # without a total order, pages may repeat or skip rows
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list(session.scalars(statement))


def compiled_sql(statement: Select, connection: Connection) -> str:
    """Return the SQL a statement compiles to on this connection's dialect."""
    return str(statement.compile(dialect=connection.dialect))


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_queries") as url:
        engine = make_engine(url)
        create_sample_shop(engine)
        with Session(engine) as session:
            print("1. Customers with at least 1 order, biggest spender first (ORM):")
            for email, orders, spent in best_customers_orm(session, min_orders=1):
                print(f"   {email:<20} {orders} orders  {spent / 100:>8.2f}")
            print("2. The SQL the ORM sent for it (note the bound parameter):")
            for line in compiled_sql(
                best_customers_statement(1), session.connection()
            ).splitlines():
                print(f"   {line}")
            with engine.connect() as connection:
                same = (best_customers_core(connection, min_orders=1)
                        == best_customers_raw(connection, min_orders=1)
                        == best_customers_orm(session, min_orders=1))  # fmt: skip
            print(f"3. Core and raw SQL return the same rows as the ORM: {same}")
            cheap = affordable_products(session, max_price_cents=3000)
            print(f"4. In stock under 30.00: {[product.sku for product in cheap]}")
            pages = [products_page(session, page=page, page_size=3) for page in (1, 2)]
            print(f"5. Pages of 3 SKUs ordered by SKU: {pages}")
        engine.dispose()
    print("Conclusion: the ORM, Core and SQL ask the same question; pick the clearest one,")
    print("and print the compiled SQL whenever you wonder what the ORM does.")


if __name__ == "__main__":
    course.script_arguments()
    main()
