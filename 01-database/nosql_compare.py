"""SQL or NoSQL? The same two questions asked of PostgreSQL and of MongoDB, same data.

Run `python 01-database/nosql_compare.py`. You will see the shop of `nosql_shop_data.py`
loaded into four normalised PostgreSQL tables (`nosql_tables.py`, SQLAlchemy Core) and into
MongoDB documents, then two questions answered by each: "the orders of a customer, with
their lines" and "revenue per product". Both give the same answer; what differs is the
shape of the work.
"""

from __future__ import annotations

import logging
from typing import Any

from mongo_aggregation import load_shop, revenue_per_product
from nosql_tables import customers, load_shop_sql, order_lines, orders
from pymongo.database import Database
from sqlalchemy import Engine, func, select

logger = logging.getLogger(__name__)


def sql_orders_of_customer(engine: Engine, email: str) -> list[dict[str, Any]]:
    """Join orders and lines for one customer, then regroup the flat rows into orders."""
    query = (
        select(
            orders.c.number,
            orders.c.status,
            order_lines.c.sku,
            order_lines.c.qty,
            order_lines.c.price_cents,
        )
        .join(customers, customers.c.id == orders.c.customer_id)
        # an outer join: an order without lines is still an order (MongoDB keeps `lines: []`)
        .outerjoin(order_lines, order_lines.c.order_number == orders.c.number)
        .where(customers.c.email == email)
        .order_by(orders.c.number, order_lines.c.sku)
    )
    by_number: dict[int, dict[str, Any]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            order = by_number.setdefault(
                row.number, {"number": row.number, "status": row.status, "lines": []}
            )
            if row.sku is not None:  # the NULL row of an order without lines
                order["lines"].append(
                    {"sku": row.sku, "qty": row.qty, "price_cents": row.price_cents}
                )
    return list(by_number.values())


def mongo_orders_of_customer(db: Database, email: str) -> list[dict[str, Any]]:
    """Find the customer, then their orders: each document already holds its lines."""
    customer = db.customers.find_one({"email": email}, {"_id": 1})
    if customer is None:
        return []
    found = db.orders.find(
        {"customer_id": customer["_id"]},
        {
            "_id": 0,
            "number": 1,
            "status": 1,
            "lines.sku": 1,
            "lines.qty": 1,
            "lines.price_cents": 1,
        },
    ).sort("number", 1)
    return [{**o, "lines": sorted(o["lines"], key=lambda line: line["sku"])} for o in found]


def sql_revenue_per_product(engine: Engine) -> list[dict[str, Any]]:
    """GROUP BY over the lines of paid orders, best seller first."""
    revenue = func.sum(order_lines.c.qty * order_lines.c.price_cents)
    query = (
        select(
            order_lines.c.sku,
            func.sum(order_lines.c.qty).label("units"),
            revenue.label("revenue_cents"),
        )
        .join(orders, orders.c.number == order_lines.c.order_number)
        .where(orders.c.status == "paid")
        .group_by(order_lines.c.sku)
        .order_by(revenue.desc(), order_lines.c.sku)
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def mongo_revenue_per_product(db: Database) -> list[dict[str, Any]]:
    """Run the lesson's aggregation pipeline and keep the same three fields."""
    return [
        {"sku": row["sku"], "units": row["units"], "revenue_cents": row["revenue_cents"]}
        for row in revenue_per_product(db)
    ]


def main() -> None:
    from mongo_documents import make_mongo_client
    from nosql_shop_data import make_shop
    from sqlalchemy import create_engine

    import course
    from course.sandbox import temporary_mongo_database, temporary_postgres_database

    settings = course.require("postgres", "mongo")
    logging.basicConfig(level=logging.WARNING)
    shop = make_shop()
    email = shop.customers[3]["email"]
    with (
        temporary_postgres_database(settings, prefix="nosql_compare") as url,
        make_mongo_client(settings.mongo_url) as client,
        temporary_mongo_database(client, prefix="nosql_compare") as db,
    ):
        engine = create_engine(url)
        load_shop_sql(engine, shop)
        load_shop(db, shop)
        print(f"1. Same shop in both: {len(shop.orders)} orders, 4 tables vs 3 collections")
        sql_orders, mongo_orders = (
            sql_orders_of_customer(engine, email),
            mongo_orders_of_customer(db, email),
        )
        print(f"2. Orders of {email} with their lines:")
        print(
            f"   PostgreSQL: {len(sql_orders)} orders from one 3-table JOIN of flat rows, "
            "regrouped in Python"
        )
        print(f"   MongoDB:    {len(mongo_orders)} orders, each read as one document")
        print(f"   same answer: {sql_orders == mongo_orders}")
        sql_revenue, mongo_revenue = sql_revenue_per_product(engine), mongo_revenue_per_product(db)
        print("3. Revenue per product (paid orders):")
        for row in sql_revenue:
            print(f"   {row['sku']}: {row['units']} units, {row['revenue_cents'] / 100:.2f}")
        print(
            f"   PostgreSQL: JOIN + GROUP BY; MongoDB: $unwind + $group + $lookup; "
            f"same answer: {sql_revenue == mongo_revenue}"
        )
        engine.dispose()
    print(
        "Conclusion: the document fits the read it was shaped for; SQL answers any question"
        " the schema allows, with constraints and joins enforced by the database."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
