"""SQL or NoSQL: PostgreSQL and MongoDB give the same answers on the same shop."""

import pytest
from mongo_aggregation import load_shop
from nosql_compare import (
    load_shop_sql,
    mongo_orders_of_customer,
    mongo_revenue_per_product,
    sql_orders_of_customer,
    sql_revenue_per_product,
)
from nosql_shop_data import make_shop


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
    load_shop(mongo_db, shop)
    return engine, mongo_db


@pytest.mark.parametrize("customer", [0, 3, 5])
def test_both_databases_return_the_same_orders_with_lines_for_a_customer(both, shop, customer):
    engine, db = both
    email = shop.customers[customer]["email"]

    from_sql = sql_orders_of_customer(engine, email)
    from_mongo = mongo_orders_of_customer(db, email)

    assert from_sql == from_mongo
    assert len(from_sql) == sum(o["customer_email"] == email for o in shop.orders)


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
