"""Checks for ex04: `course check 01 ex04` runs them against your task."""

from collections import defaultdict

import pytest
from mongo_aggregation import load_shop
from nosql_shop_data import make_shop

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def shop():
    return make_shop(customers=8, orders=80, seed=5)


@pytest.fixture
def shop_db(mongo_db, shop):
    load_shop(mongo_db, shop)
    return mongo_db


def expected_ranking(shop):
    revenue, orders = defaultdict(int), defaultdict(int)
    for order in shop.orders:
        if order["status"] == "paid":
            orders[order["customer_email"]] += 1
            for line in order["lines"]:
                revenue[order["customer_email"]] += line["qty"] * line["price_cents"]
    names = {c["email"]: c["name"] for c in shop.customers}
    rows = [
        {"email": e, "name": names[e], "orders": orders[e], "revenue_cents": revenue[e]}
        for e in revenue
    ]
    return sorted(rows, key=lambda row: (-row["revenue_cents"], row["email"]))


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_the_top_customers_are_ranked_by_paid_revenue(shop_db, shop, limit):
    assert task.top_customers(shop_db, limit=limit) == expected_ranking(shop)[:limit]


def test_cancelled_orders_do_not_count(shop_db, shop):
    shop_db.orders.update_many({}, {"$set": {"status": "cancelled"}})

    assert task.top_customers(shop_db, limit=3) == []


def test_the_report_is_one_aggregate_call(shop_db, monkeypatch):
    calls = []
    original = type(shop_db.orders).aggregate

    def counting(collection, pipeline, *args, **kwargs):
        calls.append(pipeline)
        return original(collection, pipeline, *args, **kwargs)

    monkeypatch.setattr(type(shop_db.orders), "aggregate", counting)
    task.top_customers(shop_db, limit=2)

    assert len(calls) == 1
