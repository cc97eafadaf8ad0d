"""SQL or NoSQL: PostgreSQL and MongoDB give the same answers on the same shop."""

from datetime import UTC, datetime

import pytest
from mongo_aggregation import load_shop
from nosql_compare import (
    load_shop_sql,
    mongo_orders_of_customer,
    mongo_revenue_per_product,
    sql_orders_of_customer,
    sql_revenue_per_product,
)
from nosql_shop_data import PRODUCTS, Shop, make_shop
from sqlalchemy import create_engine


@pytest.fixture
def shop():
    shop = make_shop(customers=6, orders=60, seed=11)
    shop.orders[0][
        "lines"
    ] = []  # the schema allows an order without lines; make_shop never makes one
    return shop


@pytest.fixture
def both(engine, mongo_db, shop):
    load_shop_sql(engine, shop)
    # stored newest first: an answer in number order comes from the query's sort, not from
    # the order the documents were written in (MongoDB promises no natural order)
    load_shop(mongo_db, Shop(shop.customers, shop.products, list(reversed(shop.orders))))
    return engine, mongo_db


@pytest.mark.parametrize("customer", [0, 3, 5])
def test_both_databases_return_the_same_orders_with_lines_for_a_customer(both, shop, customer):
    engine, db = both
    email = shop.customers[customer]["email"]

    from_sql = sql_orders_of_customer(engine, email)
    from_mongo = mongo_orders_of_customer(db, email)

    assert from_sql == from_mongo
    numbers = sorted(o["number"] for o in shop.orders if o["customer_email"] == email)
    assert [order["number"] for order in from_mongo] == numbers


def test_an_order_without_lines_is_in_both_answers(both, shop):
    engine, db = both
    email = shop.orders[0]["customer_email"]

    from_sql = sql_orders_of_customer(engine, email)

    assert from_sql == mongo_orders_of_customer(db, email)
    assert {"number": 1, "status": shop.orders[0]["status"], "lines": []} in from_sql


def test_both_databases_return_the_same_revenue_per_product(both):
    engine, db = both

    assert sql_revenue_per_product(engine) == mongo_revenue_per_product(db)


def test_an_unknown_customer_has_no_orders_in_either_database(both):
    engine, db = both

    assert sql_orders_of_customer(engine, "nobody@example.com") == []
    assert mongo_orders_of_customer(db, "nobody@example.com") == []


# The primary key's index returns lines by SKU, and grouping by sorting leaves the groups in
# SKU order, so ties would come out in SKU order with no tie-break at all. Planned without
# index scans and (where it has a choice) without sorts, the server reads the lines in the
# order they were stored and groups them by hash: only ORDER BY can give ties an order.
UNORDERED_PLANS = " ".join(
    f"-c {setting}=off"
    for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan", "enable_sort")
)


@pytest.fixture
def tied(database_url, mongo_db):
    """One paid order: every product once at 1.00, its lines stored in reverse SKU order."""
    skus = sorted((p["sku"] for p in PRODUCTS), reverse=True)
    lines = [{"sku": sku, "qty": 1, "price_cents": 100} for sku in skus]
    order = {
        "number": 1,
        "customer_email": "tied@example.com",
        "status": "paid",
        "placed_at": datetime(2025, 1, 1, tzinfo=UTC),
        "lines": lines,
    }
    shop = Shop(
        customers=[{"email": "tied@example.com", "name": "Tied"}],
        products=[dict(p) for p in PRODUCTS],
        orders=[order],
    )
    engine = create_engine(database_url, connect_args={"options": UNORDERED_PLANS})
    load_shop_sql(engine, shop)
    load_shop(mongo_db, shop)
    yield engine, mongo_db, sorted(skus)
    engine.dispose()


def test_both_databases_break_ties_by_sku(tied):
    # every product earns the same and the lines were stored out of SKU order, so only the
    # queries' own tie-breaks put them in SKU order, on both sides
    engine, db, in_sku_order = tied

    revenue = sql_revenue_per_product(engine)
    lines = sql_orders_of_customer(engine, "tied@example.com")[0]["lines"]

    assert [row["sku"] for row in revenue] == in_sku_order
    assert revenue == mongo_revenue_per_product(db)
    assert [line["sku"] for line in lines] == in_sku_order
    assert lines == mongo_orders_of_customer(db, "tied@example.com")[0]["lines"]
