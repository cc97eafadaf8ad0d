"""The shop's questions asked with Django's QuerySet API return SQLAlchemy's rows, same database."""

import pytest
from django_orm import (
    add_sample_shop,
    affordable_products,
    best_customers,
    buyers_of,
    buyers_of_sqlalchemy,
    products_page,
    revenue,
    revenue_sqlalchemy,
    sql_sent,
)
from django_project import empty_shop
from sql_models import make_engine
from sql_queries import affordable_products as affordable_sqlalchemy
from sql_queries import best_customers_orm
from sql_queries import products_page as page_sqlalchemy
from sqlalchemy import text
from sqlalchemy.orm import Session


@pytest.fixture(scope="module")
def shop(django_database):
    """The worker's Django database with only the sample shop, placed through Django (read-only)."""
    empty_shop()
    add_sample_shop()
    engine = make_engine(django_database)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("min_orders", [0, 1, 2, 3])
def test_best_customers_are_the_same_with_django_and_sqlalchemy(shop, min_orders):
    with Session(shop) as session:
        expected = best_customers_orm(session, min_orders=min_orders)

    # 0 too: Linus has no orders, and a LEFT JOIN would rank his NULL sum first (NULLS FIRST)
    assert best_customers(min_orders=min_orders) == expected
    assert len(expected) == {0: 2, 1: 2, 2: 1, 3: 0}[min_orders]  # not trivially empty


@pytest.mark.parametrize(("max_price_cents", "in_stock"), [(3000, True), (900, True), (100, False)])
def test_filters_give_the_same_products_with_django_and_sqlalchemy(shop, max_price_cents, in_stock):
    with Session(shop) as session:
        found = affordable_sqlalchemy(session, max_price_cents=max_price_cents, in_stock=in_stock)

    assert affordable_products(max_price_cents=max_price_cents, in_stock=in_stock) == [
        product.sku for product in found
    ]


@pytest.mark.parametrize("page", [1, 2, 3])
def test_pages_are_the_same_with_django_and_sqlalchemy(shop, page):
    with Session(shop) as session:
        expected = page_sqlalchemy(session, page=page, page_size=3)

    assert products_page(page=page, page_size=3) == expected


@pytest.mark.parametrize(("sku", "buyers"), [("CB-02", 2), ("KB-01", 1), ("NONE", 0)])
def test_joins_through_relations_find_the_same_buyers(shop, sku, buyers):
    with shop.connect() as connection:
        expected = buyers_of_sqlalchemy(connection, sku)

    assert buyers_of(sku) == expected
    assert len(expected) == buyers


def test_aggregate_gives_the_same_units_and_revenue(shop):
    with shop.connect() as connection:
        expected = revenue_sqlalchemy(connection)

    assert revenue() == expected == {"units": 9, "revenue_cents": 68100}


def test_a_filter_on_an_annotation_is_sent_as_having_in_one_query(shop):
    _, statements = sql_sent(lambda: best_customers(min_orders=2))

    assert len(statements) == 1
    # the filter before annotate() joins as select() does; alone, annotate() is a LEFT JOIN
    assert 'INNER JOIN "orders"' in statements[0] and "LEFT OUTER JOIN" not in statements[0]
    assert 'HAVING COUNT("orders"."id") >= 2' in statements[0]


def test_a_queryset_sends_nothing_until_it_is_iterated(shop):
    from django_shop.models import Product

    queryset, statements = sql_sent(lambda: Product.objects.filter(stock__gt=0))

    assert statements == []
    assert len(list(queryset)) == 4


def test_placing_the_sample_shop_took_the_stock_with_f_expressions(shop):
    with shop.connect() as connection:
        stock = dict(connection.execute(text("SELECT sku, stock FROM products")).all())

    assert stock == {"KB-01": 11, "MS-01": 29, "MN-27": 3, "CB-02": 95}


def test_the_committed_migration_matches_the_models(shop):
    from django.core.management import call_command

    call_command("makemigrations", "django_shop", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("table", ["customers", "products", "orders", "order_lines"])
def test_djangos_tables_have_sqlalchemys_columns_and_constraints(shop, table):
    from sql_models import Base
    from sqlalchemy import CheckConstraint, inspect

    inspector = inspect(shop)
    model = Base.metadata.tables[table]

    assert {column["name"] for column in inspector.get_columns(table)} == set(model.columns.keys())
    checks = {check["name"] for check in inspector.get_check_constraints(table)}
    assert checks == {c.name for c in model.constraints if isinstance(c, CheckConstraint)}
