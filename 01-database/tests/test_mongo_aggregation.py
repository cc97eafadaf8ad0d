"""The aggregation pipeline: revenue per product, checked against a plain-Python sum."""

from collections import Counter

import pytest
from mongo_aggregation import REVENUE_PER_PRODUCT, load_shop, order_sizes, revenue_per_product
from nosql_shop_data import make_shop


@pytest.fixture
def shop():
    return make_shop(customers=5, orders=40, seed=3)


@pytest.fixture
def shop_db(mongo_db, shop):
    load_shop(mongo_db, shop)
    return mongo_db


def expected_revenue(shop) -> Counter:
    revenue = Counter()
    for order in shop.orders:
        if order["status"] == "paid":
            for line in order["lines"]:
                revenue[line["sku"]] += line["qty"] * line["price_cents"]
    return revenue


def test_revenue_per_product_adds_up_the_lines_of_paid_orders_only(shop_db, shop):
    report = revenue_per_product(shop_db)

    assert {row["sku"]: row["revenue_cents"] for row in report} == expected_revenue(shop)


def test_units_add_up_quantities_and_orders_count_the_paid_orders_of_each_product(shop_db, shop):
    units, orders = Counter(), Counter()
    for order in shop.orders:
        if order["status"] == "paid":
            for sku in {line["sku"] for line in order["lines"]}:
                orders[sku] += 1  # an order counts once per product, however many lines
            for line in order["lines"]:
                units[line["sku"]] += line["qty"]

    report = revenue_per_product(shop_db)

    assert {row["sku"]: row["units"] for row in report} == units, "units: the quantities"
    assert {row["sku"]: row["orders"] for row in report} == orders, "orders: paid orders"


def test_an_order_with_two_lines_of_one_product_counts_as_one_order_of_it(mongo_db):
    # nothing stops an order holding two lines of one sku (add_line pushes another), and the
    # test shop above never has one: after $unwind they are two documents of the same order
    mongo_db.products.insert_one({"_id": "pen", "name": "Fountain pen", "category": "writing"})
    lines = [{"sku": "pen", "qty": qty, "price_cents": 2500} for qty in (1, 2)]
    mongo_db.orders.insert_one({"status": "paid", "lines": lines})

    [row] = revenue_per_product(mongo_db)

    assert (row["units"], row["revenue_cents"], row["orders"]) == (3, 7500, 1)


def test_the_report_is_sorted_best_seller_first_and_named_from_the_catalogue(shop_db):
    report = revenue_per_product(shop_db)

    revenues = [row["revenue_cents"] for row in report]
    assert revenues == sorted(revenues, reverse=True)
    assert {"sku", "name", "category", "units", "orders", "revenue_cents"} == set(report[0])
    assert report[0]["name"] in {"Fountain pen", "Ink bottle", "Paper pad", "Envelopes", "Desk map"}


def test_products_of_equal_revenue_come_in_sku_order(mongo_db):
    # written "zed" first: without the sku tie-break their order would be the server's choice
    mongo_db.products.insert_many(
        [{"_id": sku, "name": sku, "category": "test"} for sku in ("zed", "mid", "abc")]
    )
    lines = [{"sku": sku, "qty": 1, "price_cents": 500} for sku in ("zed", "mid", "abc")]
    mongo_db.orders.insert_one({"status": "paid", "lines": lines})

    assert [row["sku"] for row in revenue_per_product(mongo_db)] == ["abc", "mid", "zed"]


def test_the_pipeline_uses_each_teaching_stage_in_order():
    stages = [next(iter(stage)) for stage in REVENUE_PER_PRODUCT]

    assert stages == ["$match", "$unwind", "$group", "$lookup", "$unwind", "$project", "$sort"]


@pytest.mark.docker_only(
    reason="SecantusDB (embedded MongoDB) does not follow an aggregation field path through an "
    "array of subdocuments: '$lines.qty' is missing, so $sum gives 0"
)
def test_sum_of_a_field_path_through_an_array_adds_every_lines_quantity(shop_db, shop):
    sizes = order_sizes(shop_db)

    assert [row["items"] for row in sizes] == [
        sum(line["qty"] for line in order["lines"]) for order in shop.orders
    ]
