"""One question asked with the ORM, Core and raw SQL gives one answer."""

import pytest
from sql_models import Customer, Order, Product
from sql_queries import (
    affordable_products,
    best_customers_core,
    best_customers_orm,
    best_customers_raw,
    best_customers_statement,
    compiled_sql,
    products_page,
)
from sqlalchemy import update
from sqlalchemy.orm import Session


@pytest.fixture
def session(shop):
    with Session(shop) as session:
        yield session


@pytest.mark.parametrize(
    ("min_orders", "expected"),
    [
        (1, [("grace@example.com", 1, 2 * 25900 + 2 * 900), ("ada@example.com", 2, 14500)]),
        (2, [("ada@example.com", 2, 14500)]),
        (3, []),
    ],
)
def test_orm_core_and_raw_sql_return_the_same_best_customers(session, min_orders, expected):
    with session.bind.connect() as connection:
        core = best_customers_core(connection, min_orders=min_orders)
        raw = best_customers_raw(connection, min_orders=min_orders)

    assert best_customers_orm(session, min_orders=min_orders) == core == raw == expected


def test_the_orm_compiles_to_a_join_group_by_and_having_with_a_bound_parameter(session):
    sql = compiled_sql(best_customers_statement(2), session.connection())

    assert "JOIN orders ON customers.id = orders.customer_id" in sql
    assert "GROUP BY customers.id" in sql
    assert "HAVING count(orders.id) >= %(count_1)s" in sql
    assert " 2" not in sql  # the value travels as a parameter, not inside the SQL


@pytest.mark.parametrize(
    ("max_price_cents", "in_stock", "skus"),
    [(3000, True, ["CB-02", "MS-01"]), (900, True, ["CB-02"]), (100, False, [])],
)
def test_filters_combine_and_results_are_ordered_by_price(session, max_price_cents, in_stock, skus):
    products = affordable_products(session, max_price_cents=max_price_cents, in_stock=in_stock)

    assert [product.sku for product in products] == skus


def test_the_in_stock_filter_leaves_out_a_product_with_no_stock(session):
    session.execute(update(Product).where(Product.sku == "MS-01").values(stock=0))

    def skus(in_stock: bool) -> list[str]:
        found = affordable_products(session, max_price_cents=3000, in_stock=in_stock)
        return [product.sku for product in found]

    assert skus(in_stock=True) == ["CB-02"]
    assert skus(in_stock=False) == ["CB-02", "MS-01"]


def test_products_at_the_same_price_are_ordered_by_sku(session):
    # stored after the cable but first by SKU: without the tie-break, ties come in any order
    session.add(Product(sku="AA-01", name="USB-C adapter", price_cents=900, stock=5))
    session.flush()

    products = affordable_products(session, max_price_cents=900)

    assert [product.sku for product in products] == ["AA-01", "CB-02"]


def test_customers_who_spent_the_same_are_ordered_by_email(session):
    # two more who spent what grace spent, added after her: one sorts before her, one after,
    # so no order of ids or of grouping puts all three in email order without the tie-break
    spent = 2 * 25900 + 2 * 900
    for email in ("zed@example.com", "aaa@example.com"):
        session.add(Customer(email=email, name=email, orders=[Order(total_cents=spent)]))
    session.flush()

    orm = best_customers_orm(session, min_orders=1)
    core = best_customers_core(session.connection(), min_orders=1)
    raw = best_customers_raw(session.connection(), min_orders=1)

    assert orm == core == raw
    assert [email for email, _, _ in orm][:3] == [
        "aaa@example.com",
        "grace@example.com",
        "zed@example.com",
    ]


@pytest.mark.parametrize(
    ("page", "skus"), [(1, ["CB-02", "KB-01", "MN-27"]), (2, ["MS-01"]), (3, [])]
)
def test_pages_split_the_products_without_overlap(session, page, skus):
    assert products_page(session, page=page, page_size=3) == skus
