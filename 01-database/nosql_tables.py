"""The relational side of the comparison: four normalised tables, in SQLAlchemy Core.

One table per kind of fact (customers, products, orders, order lines), linked by foreign
keys; `load_shop_sql` creates them and inserts the shop of `nosql_shop_data.py`.
"""

from __future__ import annotations

from nosql_shop_data import Shop
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    insert,
)

# names start with nosql_ so they never meet part 1's ORM tables, even in a shared database
metadata = MetaData()
customers = Table(
    "nosql_customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(200), unique=True, nullable=False),
    Column("name", String(200), nullable=False),
)
products = Table(
    "nosql_products",
    metadata,
    Column("sku", String(20), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("category", String(50), nullable=False),
    Column("price_cents", Integer, nullable=False),
)
orders = Table(
    "nosql_orders",
    metadata,
    Column("number", Integer, primary_key=True),
    Column("customer_id", ForeignKey("nosql_customers.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
)
order_lines = Table(
    "nosql_order_lines",
    metadata,
    Column("order_number", ForeignKey("nosql_orders.number"), primary_key=True),
    Column("sku", ForeignKey("nosql_products.sku"), primary_key=True),
    Column("qty", Integer, nullable=False),
    Column("price_cents", Integer, nullable=False),
)


def load_shop_sql(engine: Engine, shop: Shop) -> None:
    """Create the four tables and insert the shop, one table per kind of fact."""
    metadata.create_all(engine)
    with engine.begin() as connection:
        ids = {c["email"]: n for n, c in enumerate(shop.customers, start=1)}
        connection.execute(
            insert(customers), [{"id": ids[c["email"]], **c} for c in shop.customers]
        )
        connection.execute(insert(products), shop.products)
        connection.execute(
            insert(orders),
            [
                {
                    "number": o["number"],
                    "customer_id": ids[o["customer_email"]],
                    "status": o["status"],
                    "placed_at": o["placed_at"],
                }
                for o in shop.orders
            ],
        )
        connection.execute(
            insert(order_lines),
            [{"order_number": o["number"], **line} for o in shop.orders for line in o["lines"]],
        )
